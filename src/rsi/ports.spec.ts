import { Injectable, Module, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { LazyPort, POSITIONS_VIEW, type PositionsView } from './ports';

/** Stands for RsiService: a provider of the lower module that reads a port provided above it. */
@Injectable()
class LowerService {
  readonly positions: LazyPort<PositionsView>;
  constructor(@Optional() moduleRef?: ModuleRef) {
    this.positions = new LazyPort(moduleRef, POSITIONS_VIEW);
  }
}

@Module({ providers: [LowerService], exports: [LowerService] })
class LowerModule {}

/** Stands for BotManager: it needs the lower service, and provides the port the lower service reads (a cycle). */
@Injectable()
class UpperService {
  held = ['ALT'];
  constructor(readonly lower: LowerService) {}
}

@Module({
  imports: [LowerModule],
  providers: [
    UpperService,
    {
      provide: POSITIONS_VIEW,
      useFactory: (upper: UpperService): PositionsView => ({
        openPositionSymbols: () => upper.held,
        manualPositionSymbols: () => [],
      }),
      inject: [UpperService],
    },
  ],
})
class UpperModule {}

describe('ports provided from above through Nest DI (LazyPort)', () => {
  it("the lower module reads the upper module's provider without importing it; no provider cycle", async () => {
    const app = await Test.createTestingModule({ imports: [LowerModule, UpperModule] }).compile();
    await app.init();
    const lower = app.get(LowerService);
    expect([...lower.positions.get()!.openPositionSymbols()]).toEqual(['ALT']);
    app.get(UpperService).held = ['ALT', 'XRP'];
    expect([...lower.positions.get()!.openPositionSymbols()]).toEqual(['ALT', 'XRP']);
    await app.close();
  });

  it('without a provider the port reads as null (nothing held), and is looked up again later', async () => {
    const app = await Test.createTestingModule({ imports: [LowerModule] }).compile();
    const lower = app.get(LowerService);
    expect(lower.positions.get()).toBeNull();
    const holder: { provided?: PositionsView } = {};
    const port = new LazyPort<PositionsView>(
      {
        get: (() => {
          if (!holder.provided) throw new Error('none');
          return holder.provided;
        }) as never,
      },
      POSITIONS_VIEW,
    );
    expect(port.get()).toBeNull();
    holder.provided = { openPositionSymbols: () => ['BTC'], manualPositionSymbols: () => ['BTC'] };
    expect(port.get()).toBe(holder.provided);
    await app.close();
  });
});
