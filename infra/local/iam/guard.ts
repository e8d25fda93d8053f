import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SFNServiceException } from '@aws-sdk/client-sfn';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { S3UrlSigner } from '../../../shared/adapters/aws/s3-url-signer';
import type { AwsAccess } from '../../../shared/runtime/clients';
import { LOCAL_ACCOUNT } from '../lambda-context';
import type { RuntimeLog } from '../log';
import { type Caller, currentCaller } from './caller';
import { decide } from './policy';
import { type RequestedAccess, requestedAccess, type Service } from './requests';
import type { RolePolicy } from './template';

/**
 * The IAM check of the local cloud: SDK middleware on every handler client that, inside a
 * function's invocation, authorizes each call against that function's role policy (from the
 * synthesized template) before it leaves the process, and fails it as AWS would.
 */

export type IamMode = 'enforce' | 'warn' | 'off';

export interface IamGuardOptions {
  policies: Map<string, RolePolicy>;
  mode: Exclude<IamMode, 'off'>;
  log: RuntimeLog;
  /** The state machine a task token belongs to (SendTaskSuccess is authorized on it). */
  stateMachineOfToken?: (token: string) => string | undefined;
}

const SERVICES: Record<string, Service> = { DynamoDB: 'dynamodb', SQS: 'sqs', S3: 's3', SFN: 'states' };

/** How each service answers a refused call: its exception class, error code and HTTP status. */
const DENIALS: Record<Service, { code: string; status: number; exception: new (options: never) => Error }> = {
  dynamodb: { code: 'AccessDeniedException', status: 400, exception: DynamoDBServiceException },
  sqs: { code: 'AccessDenied', status: 403, exception: SQSServiceException },
  s3: { code: 'AccessDenied', status: 403, exception: S3ServiceException },
  states: { code: 'AccessDeniedException', status: 400, exception: SFNServiceException },
};

export interface AccessDenied extends Error {
  __type: string;
  $fault: 'client';
  $metadata: { httpStatusCode: number; attempts: number; totalRetryDelay: number };
}

const accessDenied = (
  service: Service,
  caller: Caller,
  roleName: string,
  { action, resource }: RequestedAccess,
  explicit: boolean,
): AccessDenied => {
  const { code, status, exception } = DENIALS[service];
  const because = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  const message = `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/${caller.lambdaName} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
  const error = new exception({
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
    message,
  } as never) as AccessDenied;
  error.__type = code;
  return error;
};

/** The middleware stack of any of the clients, as far as this module uses it. */
interface Extensible {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: unknown) => (args: unknown) => unknown,
      options: { step: 'initialize'; name: string; priority: 'high'; override: true },
    ): void;
  };
  config: {
    serviceId?: string;
  };
}

export interface IamGuard {
  /** Authorizes one call of `caller`; throws AWS's AccessDenied unless the role allows every access. */
  authorize(caller: Caller, service: Service, operation: string, input: Record<string, unknown>): void;
  /** Adds the check to an SDK client, or to the S3 signer before each signature (for `extendClients`). */
  extend(client: AwsAccess): void;
  /** Refusals so far, `function action resource` → count. */
  refusals(): Map<string, number>;
}

export const createIamGuard = (options: IamGuardOptions): IamGuard => {
  const { policies, log } = options;
  const refusals = new Map<string, number>();

  const authorize: IamGuard['authorize'] = (caller, service, operation, input) => {
    const policy = policies.get(caller.functionName);
    if (!policy) throw new Error(`no role in the template for function ${caller.functionName}`);
    for (const access of requestedAccess(service, operation, input, options.stateMachineOfToken)) {
      const decision = decide(policy.statements, access.action, access.resource, access.context);
      if (decision.effect === 'allow') continue;
      const error = accessDenied(
        service,
        caller,
        policy.roleName,
        access,
        decision.effect === 'explicitDeny',
      );
      const key = `${caller.functionName} ${access.action} ${access.resource}`;
      const seen = refusals.get(key) ?? 0;
      refusals.set(key, seen + 1);
      // Loud, but once per function, action and resource: a retried call must not flood the log.
      if (seen === 0) {
        log.error(
          `IAM ${options.mode === 'enforce' ? 'DENIED' : 'would deny (--iam warn)'} ${caller.functionName} ${operation}: ${error.message}. Grant it in infra/stack (the role is ${policy.roleName} in the synthesized template).`,
        );
      }
      if (options.mode === 'enforce') throw error;
    }
  };

  const extend = (access: AwsAccess) => {
    if (access instanceof S3UrlSigner) {
      // A link or form grants its holder the call it names: the role must allow that call.
      access.beforeSigning(({ operation, bucket, key }) => {
        const caller = currentCaller();
        if (caller) authorize(caller, 's3', operation, { Bucket: bucket, Key: key });
      });
      return;
    }
    const client = access as unknown as Extensible;
    const service = SERVICES[client.config.serviceId ?? ''];
    if (!service) throw new Error(`the local IAM check does not know the ${client.config.serviceId} client`);
    client.middlewareStack.add(
      (next, context) => (args) => {
        const caller = currentCaller();
        if (caller) {
          const { commandName } = context as { commandName?: string };
          const { input } = args as { input: Record<string, unknown> };
          authorize(caller, service, (commandName ?? '').replace(/Command$/, ''), input);
        }
        return next(args);
      },
      { step: 'initialize', name: 'localIamCheck', priority: 'high', override: true },
    );
  };

  return { authorize, extend, refusals: () => refusals };
};
