// Commands and benchmarks end their stdout with one JSON line that scripts can parse.
export function printResultLine(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
