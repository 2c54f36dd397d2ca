import { Logger } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { isJsonObject, type JsonStore } from '../persistence/json-store.service';
import { ConfigValidationError } from './config-validation.error';
import { coerceSettings, type SettingSpec } from './setting-spec';

export interface SettingChange {
  key: string;
  from: unknown;
  to: unknown;
}

/** Thrown at start-up when a settings file holds a value outside its range. */
export class SettingsFileError extends Error {}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A flat settings object backed by one JSON file: defaults merged with the file, every value checked
 * against its spec, partial updates validated as a whole before anything is applied or saved.
 */
export class SettingsFile<T extends object> {
  private readonly logger: Logger;
  private readonly mutex = new Mutex();
  private current: T;
  private readonly listeners: Array<(config: T, changes: SettingChange[]) => void> = [];

  constructor(
    private readonly store: JsonStore,
    private readonly file: string,
    private readonly specs: Record<string, SettingSpec>,
    private readonly defaults: Readonly<T>,
  ) {
    this.logger = new Logger(`Settings:${file}`);
    this.current = structuredClone(defaults) as T;
  }

  get(): T {
    return this.current;
  }

  onChange(listener: (config: T, changes: SettingChange[]) => void): void {
    this.listeners.push(listener);
  }

  /** Loads the file over the defaults. A value out of range stops start-up with a line naming it. */
  async load(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      const raw = await this.store.load<Record<string, unknown>>(this.file, { defaults: () => ({}), validate: isJsonObject });
      let values: Record<string, unknown>;
      try {
        ({ values } = coerceSettings(this.specs, raw));
      } catch (error) {
        if (error instanceof ConfigValidationError) {
          throw new SettingsFileError(`Invalid value in ${this.file}: ${error.message}`);
        }
        throw error;
      }
      // Keys we do not know are kept in the file untouched (another version may need them).
      this.current = { ...structuredClone(this.defaults), ...raw, ...values } as T;
      // A first start writes the defaults out, so operators find every setting in the file.
      if (this.store.sourceOf(this.file) === 'defaults') await this.store.save(this.file, this.current);
    });
  }

  /** Validates and applies a partial update; throws ConfigValidationError (nothing saved) on a bad value. */
  async update(partial: Record<string, unknown>, transform?: (values: Record<string, unknown>, current: T) => void): Promise<{ config: T; changes: SettingChange[]; ignored: string[] }> {
    return this.mutex.runExclusive(async () => {
      const { values, ignored } = coerceSettings(this.specs, partial);
      transform?.(values, this.current);
      const changes: SettingChange[] = [];
      for (const [key, value] of Object.entries(values)) {
        const from = (this.current as Record<string, unknown>)[key];
        if (!sameValue(from, value)) changes.push({ key, from, to: value });
      }
      if (changes.length > 0) {
        const next = { ...this.current, ...values } as T;
        await this.store.save(this.file, next);
        this.current = next;
        this.logger.log(`Updated ${changes.map((c) => c.key).join(', ')}`);
        this.notify(changes);
      }
      return { config: this.current, changes, ignored };
    });
  }

  /** Replaces the whole object (defaults restore); values are trusted. */
  async replace(next: T): Promise<SettingChange[]> {
    return this.mutex.runExclusive(async () => {
      const changes = Object.keys(next)
        .filter((key) => !sameValue((this.current as Record<string, unknown>)[key], (next as Record<string, unknown>)[key]))
        .map((key) => ({ key, from: (this.current as Record<string, unknown>)[key], to: (next as Record<string, unknown>)[key] }));
      await this.store.save(this.file, next);
      this.current = next;
      if (changes.length) this.notify(changes);
      return changes;
    });
  }

  async save(): Promise<void> {
    await this.store.save(this.file, this.current);
  }

  private notify(changes: SettingChange[]): void {
    for (const listener of this.listeners) {
      try {
        listener(this.current, changes);
      } catch (error) {
        this.logger.error(`Change listener failed: ${(error as Error).message}`);
      }
    }
  }
}
