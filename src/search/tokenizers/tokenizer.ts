import { z } from "zod";
import { type TokenizeMode, tokenizeHanRun } from "./chinese.js";
import { type EmitToken, tokenizeEnglish } from "./english.js";

export const TokenizerConfigSchema = z
  .strictObject({
    /** Porter-stem English words. */
    stem: z.boolean().default(true),
    /** Drop a short list of English stop words ("the", "and", "for", …). */
    stopWords: z.boolean().default(true),
  })
  .default({});
export type TokenizerConfig = z.infer<typeof TokenizerConfigSchema>;

export interface QueryToken {
  /** The normalised term looked up in the index (stemmed for English, a word/bigram for Chinese). */
  term: string;
  /** The lowercased surface form, used for prefix completion of the last token. */
  raw: string;
}

export interface Tokenizer {
  /** Emits every term to index for a field value with its surface form; repeats are term frequencies. */
  index(text: string, emit: EmitToken): void;
  /** Query tokens in order, duplicates removed. */
  query(text: string): QueryToken[];
}

const HAN_RUN = /\p{Script=Han}+/gu;

/** Splits mixed text into Han runs and the text between them, e.g. "iPhone15 手机壳" → "iPhone15 ", "手机壳". */
function tokenizeMixed(text: string, mode: TokenizeMode, cfg: TokenizerConfig, emit: EmitToken): void {
  let last = 0;
  for (const match of text.matchAll(HAN_RUN)) {
    if (match.index > last) tokenizeEnglish(text.slice(last, match.index), cfg, emit);
    tokenizeHanRun(match[0], mode, emit);
    last = match.index + match[0].length;
  }
  if (last < text.length) tokenizeEnglish(last === 0 ? text : text.slice(last), cfg, emit);
}

export function createTokenizer(config: Partial<TokenizerConfig> = {}): Tokenizer {
  const cfg = TokenizerConfigSchema.parse(config);
  return {
    index(text, emit) {
      tokenizeMixed(text, "index", cfg, emit);
    },
    query(text) {
      const seen = new Set<string>();
      const out: QueryToken[] = [];
      tokenizeMixed(text, "query", cfg, (term, raw) => {
        if (seen.has(term)) return;
        seen.add(term);
        out.push({ term, raw });
      });
      return out;
    },
  };
}
