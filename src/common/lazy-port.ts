import type { ModuleRef } from '@nestjs/core';

/**
 * A port provided by a module above the one using it, looked up in the whole container when first needed.
 * Constructor injection would close a provider cycle (BotManager needs RsiService, whose port BotManager provides)
 * and would need the provider's module imported here; a lookup at use time depends on no init order, since Nest
 * creates every provider before any lifecycle hook or request. A missing provider reads as null.
 */
export class LazyPort<T> {
  private resolved: T | null = null;

  constructor(
    private readonly moduleRef: Pick<ModuleRef, 'get'> | undefined,
    private readonly token: symbol,
  ) {}

  get(): T | null {
    if (this.resolved !== null || !this.moduleRef) return this.resolved;
    try {
      this.resolved = (this.moduleRef.get<T>(this.token, { strict: false }) as T | undefined) ?? null;
    } catch {
      // Not provided in this application (e.g. a test module without bots): ask again next time.
      return null;
    }
    return this.resolved;
  }
}
