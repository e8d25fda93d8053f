import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { DistrictConfig } from '../../../shared/district/schema';
import type { FunctionSpec } from '../../../shared/runtime/functions';
import { stackNameOf } from '../../district-app';
import { DistrictStack } from '../../stack/district-stack';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../lambda-context';
import { STATE_MACHINE_CALLER } from './caller';
import type { Statement } from './policy';

/**
 * Each function's role policy as the CDK synthesizes it: the district stack is built in-process
 * with bundling skipped, synthesized (so aspects and `minimizePolicies` apply as on a deploy), and
 * the role's AWS::IAM::Policy documents are resolved against the local resources' names and ARNs.
 */

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** What a stack resource is called here: what `Ref` and each `Fn::GetAtt` attribute give. */
export interface LocalResource {
  ref: string;
  attributes: Record<string, string>;
}

export interface LocalNames {
  tableName: string;
  intakeQueueUrl: string;
  intakeDeadLetterQueueUrl: string;
  dueCheckQueueUrl: string;
  notificationQueueUrl: string;
  exportQueueUrl: string;
  exportDeadLetterQueueUrl: string;
  stateMachineArn: string;
  evidenceBucket: string;
  exportsBucket: string;
}

export interface RolePolicy {
  functionName: string;
  /** The role's logical id in the template (stands in for the generated role name). */
  roleName: string;
  statements: Statement[];
  /** Managed policies attached to the role: their documents are not in the template, not evaluated. */
  managedPolicies: string[];
}

export const tableArn = (name: string) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
/** fauxqs's URLs end in `/<account>/<name>`, like SQS's. */
export const queueArnOfUrl = (url: string) => {
  const [account, name] = new URL(url).pathname.split('/').filter(Boolean).slice(-2);
  return `arn:aws:sqs:${LOCAL_REGION}:${account ?? LOCAL_ACCOUNT}:${name ?? ''}`;
};
export const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

const queue = (url: string): LocalResource => {
  const arn = queueArnOfUrl(url);
  return { ref: url, attributes: { Arn: arn, QueueName: arn.split(':').pop() ?? '', QueueUrl: url } };
};
const bucket = (name: string): LocalResource => ({ ref: name, attributes: { Arn: bucketArn(name) } });

const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The logical ids of the stack's resources that exist in the local cloud (plain data: cacheable). */
export type LocalResourceIds = Record<keyof LocalNames, string>;

export const localResourceIdsOf = (stack: DistrictStack): LocalResourceIds => ({
  tableName: logicalIdOf(stack, stack.table.table),
  intakeQueueUrl: logicalIdOf(stack, stack.queues.queue),
  intakeDeadLetterQueueUrl: logicalIdOf(stack, stack.queues.deadLetterQueue),
  dueCheckQueueUrl: logicalIdOf(stack, stack.timers.dueChecks.queue),
  notificationQueueUrl: logicalIdOf(stack, stack.timers.notifications.queue),
  exportQueueUrl: logicalIdOf(stack, stack.exportJobs.queue),
  exportDeadLetterQueueUrl: logicalIdOf(stack, stack.exportJobs.deadLetterQueue),
  stateMachineArn: logicalIdOf(stack, stack.timers.stateMachine),
  evidenceBucket: logicalIdOf(stack, stack.evidence.bucket),
  exportsBucket: logicalIdOf(stack, stack.exports.bucket),
});

/** The stack's resources that exist in the local cloud, by logical id: what Ref and GetAtt give here. */
export const localResources = (ids: LocalResourceIds, names: LocalNames): Map<string, LocalResource> => {
  const smName = names.stateMachineArn.split(':').pop() ?? '';
  return new Map<string, LocalResource>([
    [ids.tableName, { ref: names.tableName, attributes: { Arn: tableArn(names.tableName) } }],
    [ids.intakeQueueUrl, queue(names.intakeQueueUrl)],
    [ids.intakeDeadLetterQueueUrl, queue(names.intakeDeadLetterQueueUrl)],
    [ids.dueCheckQueueUrl, queue(names.dueCheckQueueUrl)],
    [ids.notificationQueueUrl, queue(names.notificationQueueUrl)],
    [ids.exportQueueUrl, queue(names.exportQueueUrl)],
    [ids.exportDeadLetterQueueUrl, queue(names.exportDeadLetterQueueUrl)],
    [
      ids.stateMachineArn,
      { ref: names.stateMachineArn, attributes: { Arn: names.stateMachineArn, Name: smName } },
    ],
    [ids.evidenceBucket, bucket(names.evidenceBucket)],
    [ids.exportsBucket, bucket(names.exportsBucket)],
  ]);
};

export const localResourcesOf = (stack: DistrictStack, names: LocalNames): Map<string, LocalResource> =>
  localResources(localResourceIdsOf(stack), names);

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Evaluates the intrinsics policy documents hold. A resource with no local counterpart (a log
 * group, the alarm topic) becomes a name that matches no local call, so a grant on it grants nothing.
 */
export const resolveIntrinsics = (value: unknown, resources: Map<string, LocalResource>): unknown => {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resources));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const only = keys.length === 1 ? keys[0] : undefined;
  const text = (inner: unknown) => String(resolveIntrinsics(inner, resources));
  switch (only) {
    case 'Ref': {
      const name = object.Ref as string;
      return PSEUDO[name] ?? resources.get(name)?.ref ?? `local-unmapped:${name}`;
    }
    case 'Fn::GetAtt': {
      const raw = object['Fn::GetAtt'];
      const [id, attribute] = (Array.isArray(raw) ? raw : String(raw).split('.')) as [string, string];
      return resources.get(id)?.attributes[attribute] ?? `local-unmapped:${id}.${attribute}`;
    }
    case 'Fn::Join': {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return (resolveIntrinsics(parts, resources) as unknown[]).map(String).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = object['Fn::Select'] as [number, unknown];
      const items = resolveIntrinsics(list, resources);
      return (Array.isArray(items) ? items : String(items).split(','))[Number(index)];
    }
    case 'Fn::Split': {
      const [separator, source] = object['Fn::Split'] as [string, unknown];
      return text(source).split(separator);
    }
    case 'Fn::Sub': {
      const raw = object['Fn::Sub'];
      const [template, variables] = (Array.isArray(raw) ? raw : [raw, {}]) as [
        string,
        Record<string, unknown>,
      ];
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in variables) return text(variables[name]);
        const [id, attribute] = name.split('.') as [string, string | undefined];
        return attribute ? text({ 'Fn::GetAtt': [id, attribute] }) : text({ Ref: id });
      });
    }
    default:
      if (only?.startsWith('Fn::')) throw new Error(`unsupported intrinsic in a role policy: ${only}`);
      return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(object[key], resources)]));
  }
};

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

interface RawStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const statementsOf = (document: unknown, origin: string): Statement[] => {
  const raw = (document as { Statement?: RawStatement | RawStatement[] }).Statement;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((statement, index) => {
    const actions = list(statement.Action);
    const notActions = list(statement.NotAction);
    const resources = list(statement.Resource);
    const notResources = list(statement.NotResource);
    return {
      effect: statement.Effect,
      ...(actions && { actions }),
      ...(notActions && { notActions }),
      ...(resources && { resources }),
      ...(notResources && { notResources }),
      ...(statement.Condition && { conditions: statement.Condition }),
      origin: `${origin} statement ${statement.Sid ?? index}`,
    };
  });
};

/** The resolved identity policies of each function's role, read from a synthesized template. */
export const rolePoliciesOf = (
  template: Template,
  roles: Map<string, string>,
  resources: Map<string, LocalResource>,
): Map<string, RolePolicy> => {
  const policies = new Map<string, RolePolicy>();
  const entries = Object.entries(template.Resources);
  for (const [functionName, roleId] of roles) {
    const role = template.Resources[roleId];
    if (role?.Type !== 'AWS::IAM::Role')
      throw new Error(`${functionName}: no role ${roleId} in the template`);
    const inline = (
      (role.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]
    ).flatMap((policy) =>
      statementsOf(resolveIntrinsics(policy.PolicyDocument, resources), `${roleId} ${policy.PolicyName}`),
    );
    const attached = entries
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Policy' &&
          ((resource.Properties?.Roles ?? []) as unknown[]).some(
            (ref) => (ref as { Ref?: string }).Ref === roleId,
          ),
      )
      .flatMap(([policyId, resource]) =>
        statementsOf(resolveIntrinsics(resource.Properties?.PolicyDocument, resources), policyId),
      );
    policies.set(functionName, {
      functionName,
      roleName: roleId,
      statements: [...inline, ...attached],
      managedPolicies: ((role.Properties?.ManagedPolicyArns ?? []) as unknown[]).map((arn) =>
        JSON.stringify(resolveIntrinsics(arn, resources)),
      ),
    });
  }
  return policies;
};

export interface SynthesizedDistrict {
  stack: DistrictStack;
  template: Template;
  /** Function name (and the timers' state machine, STATE_MACHINE_CALLER) → its role's logical id. */
  roles: Map<string, string>;
}

const cdkContext = (root: string): Record<string, unknown> => {
  // The CLI reads cdk.json's feature flags (minimizePolicies among them); an in-process App does not.
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
};

/** Builds and synthesizes the district stack as `cdk synth` would, without bundling any function. */
export const synthesizeDistrict = (options: {
  root: string;
  district: DistrictConfig;
  districtFile: string;
  functions: FunctionSpec[];
  /** Tests: change the stack before it is synthesized (drop a grant). */
  amend?: (stack: DistrictStack) => void;
}): SynthesizedDistrict => {
  const outdir = mkdtempSync(join(tmpdir(), 'xietong-local-iam-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { ...cdkContext(options.root), 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new DistrictStack(app, stackNameOf(options.district.id), {
      district: options.district,
      districtFile: options.districtFile,
      projectRoot: options.root,
      functions: options.functions,
    });
    options.amend?.(stack);
    const template = app.synth().getStackArtifact(stack.artifactId).template as Template;
    const roles = new Map(
      [...stack.functions].map(([name, fn]) => [name, logicalIdOf(stack, fn.role)] as const),
    );
    roles.set(STATE_MACHINE_CALLER.functionName, logicalIdOf(stack, stack.timers.stateMachine.role));
    return { stack, template, roles };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
