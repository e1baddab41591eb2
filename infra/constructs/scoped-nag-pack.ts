import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs a cdk-nag pack over some constructs (stacks) of the app instead of the whole app, which is what
 * `Validations.of(app).addPlugins(pack)` does. Used for the Serverless pack: it covers the API stack now,
 * and widens to the app once every function elsewhere satisfies or acknowledges it.
 */
export class ScopedNagPack implements IPolicyValidationPlugin {
  readonly name: string;
  private readonly pack: NagPack;
  private readonly scopes: readonly IConstruct[];

  constructor(pack: NagPack, scopes: readonly IConstruct[]) {
    this.pack = pack;
    this.scopes = scopes;
    this.name = `${pack.readPackName} (${scopes.map((scope) => scope.node.path).join(', ')})`;
  }

  validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    const reports = this.scopes.map((scope) => this.pack.validateScope(scope));
    return {
      success: reports.every((report) => report.success),
      violations: reports.flatMap((report) => report.violations),
    };
  }
}
