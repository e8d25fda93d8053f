import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The AWS partition the stack deploys to, when the stack's region is known at synth time
 * (`-c region=…` or the CLI's CDK_DEFAULT_REGION); `undefined` for an environment-agnostic stack.
 */
export const knownPartition = (scope: IConstruct): string | undefined => {
  const partition = Stack.of(scope).partition;
  return Token.isUnresolved(partition) ? undefined : partition;
};

export const isChinaPartition = (scope: IConstruct): boolean => knownPartition(scope) === 'aws-cn';
