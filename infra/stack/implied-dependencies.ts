import { CfnResource, type IAspect, Lazy, Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** Logical ids a resolved value names through `Ref` or `Fn::GetAtt`. */
const referencedLogicalIds = (value: unknown, found = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) {
    for (const item of value) referencedLogicalIds(item, found);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') found.add(record.Ref);
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
    for (const nested of Object.values(record)) referencedLogicalIds(nested, found);
  }
  return found;
};

/**
 * Renders `resource`'s DependsOn without the resources `roleProperty` already references. Evaluated
 * at synth time, after CDK has turned construct dependencies into DependsOn, so any dependency added
 * later (by us or by CDK) is kept.
 */
const dropDependsOnImpliedBy = (resource: CfnResource, roleProperty: () => unknown): void => {
  const stack = Stack.of(resource);
  resource.addOverride(
    'DependsOn',
    Lazy.list(
      {
        produce: () => {
          const implied = referencedLogicalIds(stack.resolve(roleProperty()));
          return resource
            .obtainDependencies()
            .filter((target): target is CfnResource => target instanceof CfnResource)
            .map((target) => stack.resolve(target.logicalId) as string)
            .filter((logicalId) => !implied.has(logicalId))
            .sort();
        },
      },
      { omitEmpty: true },
    ),
  );
};

/**
 * CDK's `lambda.Function` and `sfn.StateMachine` call `node.addDependency(role)` so that they wait
 * for the grants in the role's DefaultPolicy (an SQS event source mapping, for one, is refused until
 * the role may read the queue). That also makes them DependsOn the role itself, which their Role /
 * RoleArn property already names with Fn::GetAtt: cfn-lint W3005 (aws/aws-cdk#24578). This aspect
 * drops only that redundant entry; the DefaultPolicy dependency stays, so the deploy order is unchanged.
 */
export class DropDependsOnImpliedByRole implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof CfnFunction) dropDependsOnImpliedBy(node, () => node.role);
    else if (node instanceof CfnStateMachine) dropDependsOnImpliedBy(node, () => node.roleArn);
  }
}
