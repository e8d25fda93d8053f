import * as z from 'zod';
import { JOINT_VISIT_ID_PATTERN, JOINT_VISIT_STATUSES } from '../domain/joint-visit';
import { lazySchema } from './lazy-schema';

/** Requests of the joint-visit and premises routes (strict, like every request schema). */

const limit = lazySchema(() =>
  z
    .string()
    .regex(/^[0-9]{1,3}$/, 'an integer from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional(),
);
const cursor = lazySchema(() => z.string().min(1).max(2000).optional());

export const JointVisitId = lazySchema(() =>
  z.string().regex(JOINT_VISIT_ID_PATTERN, 'a joint visit id as the API returns it'),
);

export const PremisesId = lazySchema(() =>
  z
    .string()
    .regex(/^P-(ref|addr|cell)-[A-Za-z0-9_-]{1,40}$/, 'a premises id as a case carries it (premisesId)'),
);

export const JointVisitListQuery = lazySchema(() =>
  z.strictObject({
    status: z
      .enum(JOINT_VISIT_STATUSES)
      .default('planned')
      .describe('The work queue to list; planned by default'),
    limit: limit(),
    cursor: cursor(),
  }),
);

export const PremisesQuery = lazySchema(() => z.strictObject({ limit: limit(), cursor: cursor() }));

const expectedVersion = lazySchema(() =>
  z
    .number()
    .int()
    .positive()
    .optional()
    .describe("The visit's version the client saw; stale versions are refused with 409"),
);

export const JOINT_VISIT_BODIES = {
  confirm: lazySchema(() =>
    z
      .strictObject({ expectedVersion: expectedVersion() })
      .describe('The command centre confirms a proposed visit'),
  ),
  accept: lazySchema(() =>
    z
      .strictObject({
        note: z.string().trim().min(1).max(2000).optional(),
        expectedVersion: expectedVersion(),
      })
      .describe('The joint team takes the visit on: every covered case is accepted by its own department'),
  ),
  resolve: lazySchema(() =>
    z
      .strictObject({ result: z.string().trim().min(1).max(2000), expectedVersion: expectedVersion() })
      .describe('The joint team reports the result: every covered case is handled with it'),
  ),
} as const;

export type JointVisitCommand = keyof typeof JOINT_VISIT_BODIES;
