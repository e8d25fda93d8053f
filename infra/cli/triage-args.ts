/**
 * The district the triage commands work on: `--district sandun` (the default) names
 * `districts/sandun.json`; `--file PATH` names a district file elsewhere.
 */
export const districtFileFrom = (args: readonly string[]): string => {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const file = value('--file');
  if (file) return file;
  const id = value('--district') ?? 'sandun';
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`not a district id: "${id}"`);
  return `districts/${id}.json`;
};
