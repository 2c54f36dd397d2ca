import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { connectionCap, ConnectionGate, processFdLimit } from './http-server-limits';

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

const sock = () => new FakeSocket() as unknown as Socket & FakeSocket;

describe('descriptor limit and connection cap', () => {
  it('reads the soft limit of /proc/self/limits; half of it is the cap', () => {
    const text =
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n';
    expect(processFdLimit(text)).toBe(20000);
    expect(processFdLimit('nothing useful')).toBe(1024);
    expect(connectionCap(20000)).toBe(10000);
    expect(connectionCap(10)).toBe(16);
  });
});

describe('ConnectionGate', () => {
  it('over the cap, evicts the oldest idle or still-receiving connection, never one being answered', () => {
    const gate = new ConnectionGate(3);
    const [answering, slow, idle] = [sock(), sock(), sock()];
    for (const s of [answering, slow, idle]) gate.admit(s);
    const server = new EventEmitter();
    gate.attach(server as never);
    const response = new EventEmitter();
    server.emit('request', { socket: answering, complete: true }, response);
    server.emit('request', { socket: slow, complete: false }, new EventEmitter());

    const fourth = sock();
    gate.admit(fourth);
    expect([answering.destroyed, slow.destroyed, idle.destroyed, fourth.destroyed]).toEqual([
      false,
      true,
      false,
      false,
    ]);
    const fifth = sock();
    gate.admit(fifth);
    expect(idle.destroyed).toBe(true);
    expect(gate.size).toBe(3);
    expect(gate.evicted).toBe(2);

    // Answered: the connection is idle again and may go next.
    response.emit('close');
    gate.admit(sock());
    expect(answering.destroyed).toBe(true);
  });

  it('when every connection is being answered, the newcomer is closed', () => {
    const gate = new ConnectionGate(1);
    const server = new EventEmitter();
    gate.attach(server as never);
    const busy = sock();
    gate.admit(busy);
    server.emit('request', { socket: busy, complete: true }, new EventEmitter());
    const late = sock();
    gate.admit(late);
    expect([busy.destroyed, late.destroyed, gate.refused]).toEqual([false, true, 1]);
  });
});
