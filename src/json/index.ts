export {
  checkValueDepth,
  depthLimitText,
  jsonTextTooDeep,
  jsonTooDeep,
  MAX_JSON_DEPTH,
  valueTooDeep,
} from './depth.ts';
