import type { Context } from 'aws-lambda';
import { inject } from 'vitest';
import { runAsCaller } from '../../infra/local/iam/caller';
import { createIamGuard, type IamGuard } from '../../infra/local/iam/guard';
import type { SynthesizedRoles } from '../../infra/local/iam/synth-cache';
import { type LocalNames, localResources, rolePoliciesOf } from '../../infra/local/iam/template';
import { createRuntimeLog } from '../../infra/local/log';
import type { SdkClient } from '../../shared/runtime/clients';

/**
 * The local cloud's IAM check in the integration tests: the emulators' clients carry it, and a
 * handler wrapped with `asFunction` runs as that function, so each of its calls is authorized
 * against the function's role in the synthesized stack (tests/support/iam-setup.ts), as on AWS.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    localIam: SynthesizedRoles;
  }
}

export interface TestIam {
  guard: IamGuard;
  /** Points the role policies at a resource the test created itself (its bucket, its queue). */
  name(names: Partial<LocalNames>): void;
  /** Every refusal so far, `function action resource` (a test that expects none checks this). */
  refusals(): string[];
}

/** Puts the IAM check on `clients`; resources the test does not name resolve to nothing reachable. */
export const enforceIam = (clients: SdkClient[], initial: Partial<LocalNames>): TestIam => {
  // The roles come from vitest's global setup; a bench that borrows the test emulators runs without
  // the check (it measures, it does not prove the grants).
  const synthesized = process.env.VITEST ? inject('localIam') : undefined;
  const roles = new Map(synthesized?.roles ?? []);
  let names: LocalNames = {
    tableName: 'unnamed-table',
    intakeQueueUrl: 'http://127.0.0.1:1/000000000000/unnamed-intake',
    intakeDeadLetterQueueUrl: 'http://127.0.0.1:1/000000000000/unnamed-intake-dlq',
    dueCheckQueueUrl: 'http://127.0.0.1:1/000000000000/unnamed-due-checks',
    notificationQueueUrl: 'http://127.0.0.1:1/000000000000/unnamed-notifications',
    exportQueueUrl: 'http://127.0.0.1:1/000000000000/unnamed-export-jobs',
    exportDeadLetterQueueUrl: 'http://127.0.0.1:1/000000000000/unnamed-export-jobs-dlq',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:unnamed-timers',
    evidenceBucket: 'unnamed-evidence',
    exportsBucket: 'unnamed-exports',
    ...initial,
  };
  const policies = () =>
    synthesized
      ? rolePoliciesOf(synthesized.template, roles, localResources(synthesized.resourceIds, names))
      : new Map<string, never>();
  const current = policies();
  const guard = createIamGuard({
    policies: current,
    mode: 'enforce',
    log: createRuntimeLog('ERROR'),
    stateMachineOfToken: () => names.stateMachineArn,
  });
  // Outside vitest nothing is checked: the guard is never put on a client.
  const checked: IamGuard = synthesized ? guard : { ...guard, extend: () => {} };
  for (const client of clients) checked.extend(client);
  return {
    guard: checked,
    name(more) {
      names = { ...names, ...more };
      // The guard holds this map: refill it in place.
      const next = policies();
      current.clear();
      for (const [fn, policy] of next) current.set(fn, policy);
    },
    refusals: () => [...guard.refusals().keys()],
  };
};

/**
 * A handler that runs as `functionName` (its SDK calls checked against that function's role). Typed
 * as the handler it wraps, so a test's declarations stay as they are; only invoking it is supported.
 */
export const asFunction = <H extends (event: never, context: Context) => Promise<unknown>>(
  functionName: string,
  handler: H,
): H =>
  ((event: never, context: Context) =>
    runAsCaller({ functionName, lambdaName: `xietong-test-${functionName}` }, () =>
      handler(event, context),
    )) as H;
