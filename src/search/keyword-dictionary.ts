/** Exact-match values (brands, categories) ↔ dense ids, compared after trimming and lowercasing. */
export class KeywordDictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  static normalize(value: string): string {
    return value.trim().toLowerCase();
  }

  /** Id of a value, adding it if new; -1 for an empty value. */
  intern(value: string | null | undefined): number {
    if (!value) return -1;
    const key = KeywordDictionary.normalize(value);
    if (key === "") return -1;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(key, id);
      this.values.push(key);
    }
    return id;
  }

  id(value: string): number | undefined {
    return this.ids.get(KeywordDictionary.normalize(value));
  }

  static from(values: readonly string[]): KeywordDictionary {
    const dict = new KeywordDictionary();
    for (const v of values) dict.intern(v);
    return dict;
  }
}
