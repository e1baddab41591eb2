/**
 * `npx tsx scripts/nag-findings.ts [dev|prod] [--bare]`: builds the app's construct tree (stub handlers, no
 * bundling) and prints the NIST 800-53 R5 pack's unacknowledged findings grouped by rule, with the
 * construct path of each. `--bare` leaves out the NIST acknowledgements (infra/nag/nist-acknowledgements.ts),
 * to see everything the pack reports. Seconds instead of a synth: it walks the tree once with the pack's
 * validateScope (ADR 0018, "cdk-nag"). The gate itself is the synth in test/infra.
 */
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { NIST80053R5Checks } from 'cdk-nag';
import { type StageName, stageConfig, stageNames } from '../infra/config.js';
import { acknowledgeNistFindings } from '../infra/nag/nist-acknowledgements.js';
import { ApiStack } from '../infra/stacks/api-stack.js';
import { DataStack } from '../infra/stacks/data-stack.js';
import { cdkContext, stubFunctionEntries } from '../test/support/stub-function-entries.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { bare: { type: 'boolean', default: false } },
});
const stages = positionals.length === 0 ? stageNames : positionals;

const { root, remove } = stubFunctionEntries('bulwark-nag-findings-');
try {
  for (const stage of stages as StageName[]) {
    const app = new App({
      context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], 'cli-telemetry': false },
    });
    const config = stageConfig(stage);
    const env = { account: '123456789012', region: 'eu-west-1' };
    const data = new DataStack(app, `Bulwark-${stage}-Data`, { config, env });
    new ApiStack(app, `Bulwark-${stage}-Api`, {
      config,
      env,
      tables: data.tables,
      secrets: data.secrets,
      signingKeyRotation: data.signingKeyRotation,
      projectRoot: root,
    });
    if (!values.bare) acknowledgeNistFindings(app);
    const { violations } = new NIST80053R5Checks().validateScope(app);
    const total = violations.reduce((sum, violation) => sum + violation.violatingResources.length, 0);
    const how = values.bare ? 'without' : 'after';
    console.log(
      `${stage}: ${total} NIST findings of ${violations.length} rules, ${how} the acknowledgements`,
    );
    for (const violation of violations) {
      console.log(`  ${violation.ruleName} (${violation.violatingResources.length})`);
      for (const resource of violation.violatingResources) console.log(`    ${resource.constructPath}`);
    }
  }
} finally {
  remove();
}
