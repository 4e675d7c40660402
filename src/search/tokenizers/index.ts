export { type TokenizeMode, tokenizeHanRun } from "./chinese.js";
export { type EmitToken, type EnglishOptions, tokenizeEnglish } from "./english.js";
export { porterStem } from "./porter-stemmer.js";
export { ENGLISH_STOP_WORDS } from "./stop-words.js";
export {
  createTokenizer,
  type QueryToken,
  type Tokenizer,
  type TokenizerConfig,
  TokenizerConfigSchema,
} from "./tokenizer.js";
