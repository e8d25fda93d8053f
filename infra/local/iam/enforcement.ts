import type { DistrictConfig } from '../../../shared/district/schema';
import { extendClients } from '../../../shared/runtime/clients/extensions';
import type { FunctionSpec } from '../../../shared/runtime/functions';
import type { RuntimeLog } from '../log';
import { createIamGuard, type IamGuard, type IamMode } from './guard';
import { EVALUATED_CONDITION_KEYS } from './policy';
import { synthesizedRoles } from './synth-cache';
import { type LocalNames, localResources, rolePoliciesOf } from './template';

export interface IamEnforcementOptions {
  mode: IamMode;
  log: RuntimeLog;
  root: string;
  district: DistrictConfig;
  districtFile: string;
  functions: FunctionSpec[];
  names: LocalNames;
}

/**
 * Reads every function's role from the synthesized district stack (cached, see synth-cache.ts) and puts the IAM check on every
 * SDK client the handlers build. Call before the handlers load: their cold start is checked too.
 */
export const startIamEnforcement = (options: IamEnforcementOptions): IamGuard | undefined => {
  const { log } = options;
  if (options.mode === 'off') {
    log.warn('IAM is not checked (--iam off): calls a role does not allow will only fail on AWS');
    return undefined;
  }
  const startedAt = Date.now();
  const synthesized = synthesizedRoles(options);
  const resources = localResources(synthesized.resourceIds, options.names);
  const policies = rolePoliciesOf(synthesized.template, new Map(synthesized.roles), resources);
  for (const policy of policies.values()) {
    for (const arn of policy.managedPolicies) {
      log.warn(`IAM: ${policy.functionName}'s role has managed policy ${arn}: not evaluated locally`);
    }
    for (const statement of policy.statements) {
      const unevaluated = Object.values(statement.conditions ?? {})
        .flatMap((keys) => Object.keys(keys))
        .filter((key) => !EVALUATED_CONDITION_KEYS.has(key.toLowerCase()));
      if (unevaluated.length > 0) {
        log.warn(
          `IAM: ${policy.functionName}: ${statement.origin} has conditions on ${unevaluated.join(', ')}: taken as holding`,
        );
      }
    }
  }
  const stateMachineArn = options.names.stateMachineArn;
  const guard = createIamGuard({
    policies,
    mode: options.mode,
    log,
    // Every task token here is one of the timers' state machine's (infra/local/step-functions.ts).
    stateMachineOfToken: () => stateMachineArn,
  });
  extendClients((client) => guard.extend(client));
  log.info(
    `IAM ${options.mode === 'enforce' ? 'enforced' : 'checked (warn only)'}: ${policies.size} roles from the synthesized stack in ${Date.now() - startedAt} ms`,
  );
  return guard;
};
