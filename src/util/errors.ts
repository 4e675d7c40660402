// Every error seqrank throws on purpose carries a stable `SR_ERR_*` code that callers and the CLI can match on.
export class SeqrankError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SeqrankError";
  }
}
