import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DistrictConfigError } from '../shared/district/load';
import { ensureWebBuild } from '../web/scripts/ensure-build';
import { addSecurityChecks, buildDistrictApp, DEFAULT_DISTRICT, PROJECT_ROOT } from './district-app';

/**
 * CDK entry point: `cdk synth|deploy -c district=<id> [-c region=<region>]`. The district file is
 * validated before any construct exists; a broken file stops here with its path and rule. The
 * cdk-nag AwsSolutions rules run on every synth (see docs/security.md).
 */
const app = new App();
addSecurityChecks(app);
const contextString = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

const district = contextString('district') ?? DEFAULT_DISTRICT;
// The CLI sets CDK_DEFAULT_REGION/ACCOUNT from the profile; a known region lets the stack adapt to
// its partition (AWS China).
const region = contextString('region') ?? process.env.CDK_DEFAULT_REGION;
const account = process.env.CDK_DEFAULT_ACCOUNT;

// The cockpit ships with the stack: build it unless web/dist is already newer than its sources.
await ensureWebBuild({ quiet: true });

try {
  buildDistrictApp(app, {
    district,
    env: { region, account },
    webAssetsDir: join(PROJECT_ROOT, 'web', 'dist'),
  });
} catch (error) {
  if (error instanceof DistrictConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
