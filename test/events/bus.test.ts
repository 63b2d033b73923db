import { EventBus, type DomainEvent } from '../../src/events/bus';

const ev = (n: number) => ({ type: 'system' as const, data: { n } });

describe('EventBus', () => {
  it('delivers to every subscriber in order with increasing seq; an unsubscribed handler gets nothing more', () => {
    const bus = new EventBus();
    const got: string[] = [];
    const offA = bus.subscribe((e) => got.push(`a${e.data.n}`));
    bus.subscribe((e) => got.push(`b${e.data.n}`));
    bus.publish(ev(1));
    offA();
    bus.publish(ev(2));
    expect(got).toEqual(['a1', 'b1', 'b2']);
    expect(bus.lastSeq).toBe(2);
  });

  it('(un)subscribing during a publish changes who gets the next event, not this one', () => {
    const bus = new EventBus();
    const got: string[] = [];
    let offB: () => void = () => undefined;
    bus.subscribe((e) => {
      got.push(`a${e.data.n}`);
      if (e.data.n === 1) {
        offB();
        bus.subscribe((x) => got.push(`c${x.data.n}`));
      }
    });
    offB = bus.subscribe((e) => got.push(`b${e.data.n}`));
    bus.publish(ev(1));
    bus.publish(ev(2));
    expect(got).toEqual(['a1', 'b1', 'a2', 'c2']);
  });

  it('a throwing subscriber does not stop the others', () => {
    const bus = new EventBus();
    const seen: DomainEvent[] = [];
    bus.subscribe(() => {
      throw new Error('closed socket');
    });
    bus.subscribe((e) => seen.push(e));
    bus.publish(ev(1));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'system', seq: 1 });
    expect(typeof seen[0]!.at).toBe('number');
  });
});
