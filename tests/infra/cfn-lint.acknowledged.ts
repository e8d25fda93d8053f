/**
 * cfn-lint warnings we keep on purpose, each with why. tests/infra/cfn-lint.test.ts fails on any
 * other warning, on any error (errors cannot be acknowledged here), and on an entry below that no
 * longer matches anything (so the list cannot go stale).
 */
export interface LintAcknowledgement {
  /** cfn-lint rule id, e.g. `W3005`. Never an `E` rule. */
  rule: string;
  /** Matches the logical id of the resource the finding is on. */
  resource: RegExp;
  /** Why we keep it rather than fix it. */
  reason: string;
}

export const ACKNOWLEDGED_LINT_WARNINGS: LintAcknowledgement[] = [
  {
    rule: 'W3005',
    resource: /^BucketNotificationsHandler050a0587b7544547bf325f094a3db834[0-9A-F]{8}$/,
    reason:
      'CDK-internal: the handler that sets the evidence bucket notifications is a raw CfnResource made ' +
      'by aws-s3 (NotificationsResourceHandler), which calls node.addDependency(role) next to ' +
      'Role: GetAtt (aws/aws-cdk#24578). Its properties are not public, so our DependsOn aspect ' +
      '(infra/stack/implied-dependencies.ts) cannot tell which entry is implied. Harmless: the ' +
      'DependsOn only repeats an order CloudFormation already follows.',
  },
];
