import { calibrationSetProblems } from '../../shared/district/examples';
import { findGeometryProblems } from '../../shared/district/geometry-checks';
import { DistrictConfigError, loadDistrict } from '../../shared/district/load';
import type { DistrictConfig } from '../../shared/district/schema';

/**
 * The operator's district command: `npm run district -- validate FILE [FILE…]`.
 * Exit codes: 0 all files valid, 1 at least one invalid file, 2 usage error.
 */

const USAGE = `usage: npm run district -- validate FILE [FILE…]

  validate   check district files against the schema and the zone geometry
             (zones must not overlap; rings need at least 4 positions), and the
             calibration set a district borrows (triage.calibrationSet)`;

const EXIT_OK = 0;
const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

/** Schema first (via the loader), then the geometry and the files beside it the schema cannot check. */
const validateDistrictFile = (file: string): DistrictConfig => {
  const district = loadDistrict(file);
  const problems = [...findGeometryProblems(district), ...calibrationSetProblems(file, district)];
  if (problems.length > 0) throw new DistrictConfigError(file, problems);
  return district;
};

const counted = (count: number, singular: string, plural = `${singular}s`): string =>
  `${count} ${count === 1 ? singular : plural}`;

const summaryOf = (file: string, district: DistrictConfig): string =>
  `✓ ${file}: ${district.name.zh} ${district.name.en} — ${[
    counted(district.departments.length, 'department'),
    counted(district.zones.length, 'zone'),
    counted(district.categories.length, 'category', 'categories'),
    counted(district.escalation.length, 'escalation level'),
  ].join(', ')}`;

const validate = (files: string[]): number => {
  let exitCode = EXIT_OK;
  for (const file of files) {
    try {
      console.log(summaryOf(file, validateDistrictFile(file)));
    } catch (error) {
      if (!(error instanceof DistrictConfigError)) throw error;
      console.error(`✗ ${error.message}`);
      exitCode = EXIT_INVALID;
    }
  }
  return exitCode;
};

const run = (args: string[]): number => {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return EXIT_OK;
  }
  if (command === 'validate' && rest.length > 0) return validate(rest);
  if (command === undefined) console.error('district: missing sub-command');
  else if (command === 'validate') console.error('district validate: no files given');
  else console.error(`district: unknown sub-command "${command}"`);
  console.error(USAGE);
  return EXIT_USAGE;
};

process.exitCode = run(process.argv.slice(2));
