import { Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { realtimeGateway } from '../../shared/routes/realtime-gateway.js';
import { routes } from '../../shared/routes/route-table.js';
import { bulwarkRouteModules } from '../bulwark-route-modules.js';
import type { AlarmTopic } from '../constructs/alarm-topic.js';
import type { ApiMonitoring } from '../constructs/api-monitoring.js';
import type { ApiWebAcl } from '../constructs/api-web-acl.js';
import { BulwarkApi, type BulwarkApiProps } from '../constructs/bulwark-api.js';
import type { CanaryRelease } from '../constructs/canary-release.js';
import type { CanaryReleases } from '../constructs/canary-releases.js';
import type { RealtimeGateway } from '../constructs/realtime-gateway.js';
import type { RouteApi } from '../constructs/route-api.js';
import type { RouteFunction } from '../constructs/route-function.js';

export type ApiStackProps = StackProps & Omit<BulwarkApiProps, 'routes' | 'entryOf' | 'modules' | 'realtime'>;

/**
 * Bulwark's own stateless stack: the BulwarkApi construct over Bulwark's route table (core and realtime
 * routes) with the realtime gateway, exactly what a team builds over its own table. The construct sits
 * under the id `Default`, which CDK leaves out of logical ids, so every resource it keeps in this stack
 * keeps the id it had when the stack held it directly; the functions with their releases (the routes' and
 * the realtime gateway's) live in nested stacks (BulwarkApi.functionStacks, ADR 0018).
 */
export class ApiStack extends Stack {
  readonly bulwark: BulwarkApi;
  readonly api: RestApi;
  readonly routeApi: RouteApi;
  readonly routeFunctions: ReadonlyMap<string, RouteFunction>;
  readonly fallbackFunction: RouteFunction;
  readonly canaryReleases: CanaryReleases;
  readonly releases: ReadonlyMap<string, CanaryRelease>;
  readonly webAcl: ApiWebAcl;
  readonly alarmTopic: AlarmTopic;
  readonly monitoring: ApiMonitoring;
  readonly realtime: RealtimeGateway;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    const { config, tables, secrets, projectRoot, signingKeyRotation, ...stackProps } = props;
    super(scope, id, { terminationProtection: config.terminationProtection, ...stackProps });
    this.bulwark = new BulwarkApi(this, 'Default', {
      config,
      tables,
      secrets,
      routes,
      modules: bulwarkRouteModules,
      realtime: { gateway: realtimeGateway },
      ...(projectRoot === undefined ? {} : { projectRoot }),
      ...(signingKeyRotation === undefined ? {} : { signingKeyRotation }),
    });
    if (this.bulwark.realtime === undefined) throw new TypeError('ApiStack: the realtime gateway is missing');
    this.realtime = this.bulwark.realtime;
    ({
      api: this.api,
      routeApi: this.routeApi,
      routeFunctions: this.routeFunctions,
      fallbackFunction: this.fallbackFunction,
      canaryReleases: this.canaryReleases,
      releases: this.releases,
      webAcl: this.webAcl,
      alarmTopic: this.alarmTopic,
      monitoring: this.monitoring,
    } = this.bulwark);
  }
}
