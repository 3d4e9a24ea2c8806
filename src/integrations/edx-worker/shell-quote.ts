/** POSIX single quoting: the value reaches the program as exactly one argument, whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
