export {
  createIdFactory,
  type IdFactory,
  idLowerBound,
  idTime,
  isId,
  newId,
  parseId,
} from './ids.ts';
export { ID_PREFIXES, type IdKind, type IdPrefix } from './prefixes.ts';
