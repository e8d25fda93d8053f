/** `--name value` pairs from the command line (npm passes them after `--`), as numbers. */
export const numberArg = (name: string, fallback: number): number => {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got ${args[index + 1]}`);
  return value;
};
