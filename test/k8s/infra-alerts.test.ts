// infra/aws/alerts.yaml (issue 17): the cost budget warns at 80/90/100 % of its parameter, the
// CloudWatch alarms watch what the cluster's Prometheus cannot (ElastiCache CPU and memory on both
// nodes of infra/aws/data.yaml's one primary, or of every shard in cluster mode: issue 16; DynamoDB
// throttling of the finalizer's tables, the NLB's healthy gateways), and everything reaches the one
// SNS topic the chart's Alertmanager can publish to too. cfn-lint runs over it with the other
// templates in infra.test.ts (and unrolls its Fn::ForEach as CloudFormation would).
import { describe, expect, test } from '@jest/globals';
import { defaultValues } from '../../cdk8s/src/values.js';
import { type Cfn, created, danglingReferences, ofType, references, type Res, template } from './cloudformation.js';

const cfn = () => template('infra/aws/alerts.yaml');
const TOPIC = { Ref: 'AlertTopic' };

type Alarm = {
  Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: unknown }[]; Threshold: number; ComparisonOperator: string;
  TreatMissingData: string; AlarmActions: unknown[]; OKActions: unknown[]; AlarmDescription: string;
  Metrics?: { Id: string; Expression?: string; ReturnData: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] } } }[];
};
const alarms = (c: Cfn) => Object.fromEntries(ofType(c, 'AWS::CloudWatch::Alarm').map(([k, r]) => [k, r.Properties as unknown as Alarm]));

describe('infra/aws/alerts.yaml (CloudFormation: budget, alarms, SNS)', () => {
  test('the budget: monthly cost, 80, 90 and 100 % of MonthlyBudgetUsd, to the topic', () => {
    const c = cfn();
    const [[, budget]] = ofType(c, 'AWS::Budgets::Budget') as [[string, Res]];
    const b = budget.Properties as { Budget: Record<string, unknown>; NotificationsWithSubscribers: { Notification: Record<string, unknown>; Subscribers: unknown[] }[] };
    expect(b.Budget).toMatchObject({ BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: { Ref: 'MonthlyBudgetUsd' }, Unit: 'USD' } });
    expect(c.Parameters.MonthlyBudgetUsd).toMatchObject({ Type: 'Number' });
    expect(b.NotificationsWithSubscribers.map((n) => n.Notification)).toEqual([80, 90, 100].map((Threshold) => ({
      NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold, ThresholdType: 'PERCENTAGE',
    })));
    for (const n of b.NotificationsWithSubscribers) expect(n.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: TOPIC }]);
    // Budgets may publish only once the topic's policy lets it
    expect(budget.DependsOn).toBe('AlertTopicPolicy');
  });

  test('the topic: Budgets and CloudWatch of this account may publish; an email subscribes when given', () => {
    const c = cfn();
    const policy = c.Resources.AlertTopicPolicy!.Properties as { Topics: unknown[]; PolicyDocument: { Statement: { Principal: { Service: string[] }; Action: string; Resource: unknown; Condition: unknown }[] } };
    expect(policy.Topics).toEqual([TOPIC]);
    expect(policy.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Principal: { Service: ['budgets.amazonaws.com', 'cloudwatch.amazonaws.com'] }, Action: 'sns:Publish', Resource: TOPIC,
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    })]);
    const sub = c.Resources.AlertEmailSubscription!;
    expect(sub).toMatchObject({ Condition: 'HasEmail', Properties: { Protocol: 'email', TopicArn: TOPIC, Endpoint: { Ref: 'AlertEmail' } } });
    // the chart's Alertmanager may publish there and nowhere else
    expect((c.Resources.AlertmanagerPublishPolicy!.Properties as { PolicyDocument: unknown }).PolicyDocument)
      .toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC }] });
    expect(c.Outputs.AlertTopicArn!.Value).toEqual(TOPIC);
    const pattern = new RegExp(c.Parameters.AlertEmail!.AllowedPattern!);
    expect(['', 'oncall@example.com'].map((e) => pattern.test(e))).toEqual([true, true]);
    expect(pattern.test('not an address')).toBe(false);
  });

  test('alarms: Redis engine CPU and memory on both nodes, throttles of both tables, healthy gateways; all to the topic and back', () => {
    const a = alarms(cfn());
    expect(Object.keys(a).sort()).toEqual(['GamesTableThrottles', 'NlbNoHealthyGateways', 'PlayersTableThrottles', 'RedisEngineCpuPrimary', 'RedisEngineCpuReplica', 'RedisMemoryPrimary', 'RedisMemoryReplica']);
    for (const [name, alarm] of Object.entries(a)) {
      expect({ name, alarm: alarm.AlarmActions, ok: alarm.OKActions }).toEqual({ name, alarm: [TOPIC], ok: [TOPIC] });
      // each names the runbook a person reads when it fires
      expect(alarm.AlarmDescription).toMatch(/docs\/operations\.md#[a-z]+/);
    }
    const node = (alarm: Alarm) => alarm.Dimensions!.find((d) => d.Name === 'CacheClusterId')!.Value;
    for (const [cpu, mem, suffix] of [['RedisEngineCpuPrimary', 'RedisMemoryPrimary', '001'], ['RedisEngineCpuReplica', 'RedisMemoryReplica', '002']] as const) {
      expect(a[cpu]).toMatchObject({ Namespace: 'AWS/ElastiCache', MetricName: 'EngineCPUUtilization', Threshold: 80, ComparisonOperator: 'GreaterThanThreshold' });
      expect(a[mem]).toMatchObject({ Namespace: 'AWS/ElastiCache', MetricName: 'DatabaseMemoryUsagePercentage', Threshold: 80, ComparisonOperator: 'GreaterThanThreshold' });
      for (const x of [a[cpu]!, a[mem]!]) expect(node(x)).toEqual({ 'Fn::Sub': `\${RedisReplicationGroupId}-${suffix}` });
    }
    // one primary only: cluster mode has its own alarms (below)
    for (const name of ['RedisEngineCpuPrimary', 'RedisEngineCpuReplica', 'RedisMemoryPrimary', 'RedisMemoryReplica']) expect(cfn().Resources[name]!.Condition).toBe('OnePrimary');
    const nlb = a.NlbNoHealthyGateways!;
    expect(nlb).toMatchObject({ Namespace: 'AWS/NetworkELB', MetricName: 'HealthyHostCount', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(nlb.Dimensions).toEqual([{ Name: 'LoadBalancer', Value: { Ref: 'NlbFullName' } }, { Name: 'TargetGroup', Value: { Ref: 'TargetGroupFullName' } }]);
    expect(cfn().Resources.NlbNoHealthyGateways!.Condition).toBe('HasNlb');
  });

  test('the throttle alarms watch the finalizer\'s tables (the chart\'s and the data stack\'s names), reads and writes', () => {
    const c = cfn();
    // the same names as the chart's finalizer and the data stack's tables
    const names = (x: Cfn) => [x.Parameters.GamesTableName!.Default, x.Parameters.PlayersTableName!.Default];
    expect(names(c)).toEqual([defaultValues().dynamodb.gamesTable, defaultValues().dynamodb.playersTable]);
    expect(names(c)).toEqual(names(template('infra/aws/data.yaml')));
    const a = alarms(c);
    for (const [name, param] of [['GamesTableThrottles', 'GamesTableName'], ['PlayersTableThrottles', 'PlayersTableName']] as const) {
      const m = a[name]!.Metrics!;
      expect(m.filter((x) => x.MetricStat).map((x) => [x.MetricStat!.Metric.MetricName, x.MetricStat!.Metric.Dimensions])).toEqual([
        ['ReadThrottleEvents', [{ Name: 'TableName', Value: { Ref: param } }]],
        ['WriteThrottleEvents', [{ Name: 'TableName', Value: { Ref: param } }]],
      ]);
      expect(m.filter((x) => x.ReturnData).map((x) => x.Expression)).toEqual(['FILL(reads, 0) + FILL(writes, 0)']);
      expect(a[name]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  test('one primary (RedisNodeGroupIds empty, the default): the four node alarms; none a shard\'s', () => {
    const made = created(cfn(), { RedisReplicationGroupId: 'gambit-redis' });
    expect(Object.keys(made).filter((k) => k.startsWith('Redis')).sort()).toEqual(['RedisEngineCpuPrimary', 'RedisEngineCpuReplica', 'RedisMemoryPrimary', 'RedisMemoryReplica']);
    expect(Object.keys(made)).toEqual(expect.arrayContaining(['AlertTopic', 'MonthlyBudget', 'GamesTableThrottles', 'PlayersTableThrottles']));
  });

  test('cluster mode: for each node group named in RedisNodeGroupIds, engine CPU and memory of the worse of its two nodes (the primary, wherever a failover put it)', () => {
    const c = cfn();
    // Fn::ForEach needs the transform (and a deploy with CAPABILITY_AUTO_EXPAND)
    expect(c.Transform).toBe('AWS::LanguageExtensions');
    expect(c.Parameters.RedisNodeGroupIds).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    // each item: a node group id of ElastiCache (1-4 letters or digits), or nothing for one primary
    const id = new RegExp(c.Parameters.RedisNodeGroupIds!.AllowedPattern!);
    expect(['', '0001', '0042', 'ab12'].map((x) => id.test(x))).toEqual([true, true, true, true]);
    expect(['00001', '0001-001', '00 1'].map((x) => id.test(x))).toEqual([false, false, false]);

    const made = created(c, { RedisReplicationGroupId: 'gambit-redis', RedisNodeGroupIds: '0001,0002,0003' });
    const redis = Object.keys(made).filter((k) => k.startsWith('Redis')).sort();
    expect(redis).toEqual(['0001', '0002', '0003'].flatMap((g) => [`RedisEngineCpuShard${g}`, `RedisMemoryShard${g}`]).sort());
    for (const g of ['0001', '0002', '0003']) {
      for (const [name, metric, stat, periods] of [[`RedisEngineCpuShard${g}`, 'EngineCPUUtilization', 'Average', 3], [`RedisMemoryShard${g}`, 'DatabaseMemoryUsagePercentage', 'Maximum', 2]] as const) {
        const alarm = made[name]!.Properties as unknown as Alarm & { EvaluationPeriods: number };
        expect(made[name]!.Type).toBe('AWS::CloudWatch::Alarm');
        // the member clusters of node group g: its primary and its replica at creation (ID-NNNN-00M)
        expect(alarm.Metrics!.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.Namespace, m.MetricStat!.Metric.MetricName, m.MetricStat!.Metric.Dimensions, (m.MetricStat as unknown as { Stat: string }).Stat])).toEqual(
          ['001', '002'].map((n) => ['AWS/ElastiCache', metric, [{ Name: 'CacheClusterId', Value: { 'Fn::Sub': `\${RedisReplicationGroupId}-${g}-${n}` } }], stat]),
        );
        // one series to alarm on: the worse node at each point
        expect(alarm.Metrics!.filter((m) => m.ReturnData).map((m) => m.Expression)).toEqual(['MAX([node1, node2])']);
        expect(alarm).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'missing', EvaluationPeriods: periods, AlarmActions: [TOPIC], OKActions: [TOPIC] });
        expect(alarm.AlarmDescription).toContain(`Gambit Redis shard ${g} `);
        expect(alarm.AlarmDescription).toMatch(/\(docs\/operations\.md#redis\)$/);
      }
    }
    // the same thresholds and windows as one primary's alarms
    const one = c.Resources;
    expect([one.RedisEngineCpuPrimary!.Properties.EvaluationPeriods, one.RedisMemoryPrimary!.Properties.EvaluationPeriods]).toEqual([3, 2]);
  });

  test('the Redis nodes are those of infra/aws/data.yaml: its output names the replication group, two nodes (one primary: its default), or two a node group', () => {
    const data = template('infra/aws/data.yaml');
    expect(data.Outputs.RedisReplicationGroupId!.Value).toEqual({ Ref: 'Redis' });
    expect(data.Resources.Redis!.Properties.NumCacheClusters).toEqual({ 'Fn::If': ['OnePrimary', 2, { Ref: 'AWS::NoValue' }] });
    // a primary and one replica a shard: the alarms' -001 and -002 of each node group
    expect(data.Resources.Redis!.Properties.ReplicasPerNodeGroup).toEqual({ 'Fn::If': ['ClusterMode', 1, { Ref: 'AWS::NoValue' }] });
    expect(data.Parameters.RedisClusterShards!.Default).toBe(0);
  });

  test('every Ref, GetAtt, Sub variable and Condition names a parameter, resource or condition of the template', () => {
    const c = cfn();
    expect(references(c).length).toBeGreaterThan(20);
    expect(danglingReferences(c)).toEqual([]);
  });
});
