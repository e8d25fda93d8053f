import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { addSecurityChecks, PROJECT_ROOT } from '../../infra/district-app';

/** The context the CLI would pass from cdk.json (tests don't read cdk.json by themselves). */
export const CDK_JSON = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export interface TestApp {
  app: App;
  outdir: string;
  /** Removes the synth output directory. */
  dispose(): void;
}

/**
 * An App like the CLI's, writing to a temp dir. Bundling is skipped unless asked for, and the
 * built-in CloudFormation validation (≈10 s) only runs where a test wants it. The cdk-nag
 * AwsSolutions checks run as in `infra/app.ts` (≈0.1 s): an unacknowledged error fails the synth.
 */
export const testApp = (options: { bundle?: boolean; validate?: boolean; nag?: boolean } = {}): TestApp => {
  const outdir = mkdtempSync(join(tmpdir(), 'xietong-cdk-'));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: options.validate ?? false,
    context: { ...CDK_JSON.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  if (options.nag ?? true) addSecurityChecks(app);
  return { app, outdir, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
};

export interface CfnResource {
  Type: string;
  /** Every resource type these tests look at has properties. */
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export const resourcesOf = (template: Template, type: string): [string, CfnResource][] =>
  Object.entries(template.findResources(type)) as [string, CfnResource][];

/** The one resource of a type (throws unless there is exactly one). */
export const onlyResourceOf = (template: Template, type: string): [string, CfnResource] => {
  const found = resourcesOf(template, type);
  if (found.length !== 1 || !found[0]) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};

/** A function's environment variables. */
export const variablesOf = (fn: CfnResource): Record<string, unknown> =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

export interface PolicyStatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of identity policies, resource policies and key policies, with where it lives. */
export const policyStatements = (
  template: Template,
): { resource: string; type: string; statement: PolicyStatementJson }[] => {
  const documents: Record<string, string> = {
    'AWS::IAM::Policy': 'PolicyDocument',
    'AWS::IAM::ManagedPolicy': 'PolicyDocument',
    'AWS::SQS::QueuePolicy': 'PolicyDocument',
    'AWS::SNS::TopicPolicy': 'PolicyDocument',
    'AWS::KMS::Key': 'KeyPolicy',
  };
  return Object.entries(documents).flatMap(([type, property]) =>
    resourcesOf(template, type).flatMap(([resource, { Properties }]) => {
      const document = Properties[property] as { Statement: PolicyStatementJson[] } | undefined;
      return (document?.Statement ?? []).map((statement) => ({ resource, type, statement }));
    }),
  );
};
