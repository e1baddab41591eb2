/**
 * DynamoDB on-demand prices, us-east-1, as published on https://aws.amazon.com/dynamodb/pricing/on-demand/
 * since the price reduction of 2024-11-01 (the figures ADR 0005 quotes; not re-read from this machine,
 * which has no route to aws.amazon.com).
 */
export const onDemandPrices = {
  region: 'us-east-1',
  since: '2024-11-01',
  dollarsPerMillionWriteUnits: 0.625,
  dollarsPerMillionReadUnits: 0.125,
} as const;

export interface CapacityUnits {
  readonly writeUnits: number;
  readonly readUnits: number;
}

/**
 * Capacity units of counted operations, every item under 1 KB (writes) or 4 KB (reads) as Bulwark's
 * are: a write (failed conditions included) 1 WRU; a strongly consistent read 1 RRU per item; a
 * transaction 2 units per item (TransactWriteItems: WRU, its ConditionChecks included; TransactGetItems: RRU).
 */
export const capacityUnitsOf = (operations: ReadonlyMap<string, number>): CapacityUnits => {
  const count = (name: string) => operations.get(name) ?? 0;
  return {
    writeUnits:
      count('UpdateItem') + count('PutItem') + count('DeleteItem') + 2 * count('TransactWriteItems:items'),
    readUnits:
      count('GetItem') + count('BatchGetItem:items') + count('Query') + 2 * count('TransactGetItems:items'),
  };
};

export const dollarsPerMillionRequests = (units: CapacityUnits, requests: number): number =>
  (units.writeUnits * onDemandPrices.dollarsPerMillionWriteUnits +
    units.readUnits * onDemandPrices.dollarsPerMillionReadUnits) /
  requests;
