export {
  createIdFactory,
  ID_PREFIXES,
  type IdFactory,
  type IdKind,
  type IdPrefix,
  idLowerBound,
  idTime,
  isId,
  newId,
  parseId,
} from './ids.ts';
