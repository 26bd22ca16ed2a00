import { conveyorPriority, guideLevelOf, guidePriority } from './guide-priority';

describe("seed 002's priorities", () => {
  it('reads names in any letter case and the values 4…1', () => {
    expect(['urgent', 'Urgent', 'URGENT', 4].map(guidePriority)).toEqual(['URGENT', 'URGENT', 'URGENT', 'URGENT']);
    expect([3, 2, 1, 'low'].map(guidePriority)).toEqual(['HIGH', 'NORMAL', 'LOW', 'LOW']);
    expect([0, 5, 'critical', null, '4'].map(guidePriority)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it("maps them onto Conveyor's order (1 most urgent), higher first", () => {
    const order = (['URGENT', 'HIGH', 'NORMAL', 'LOW'] as const).map(conveyorPriority);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.map(guideLevelOf)).toEqual(['URGENT', 'HIGH', 'NORMAL', 'LOW']);
  });
});
