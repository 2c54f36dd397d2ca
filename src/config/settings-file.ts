import { Logger } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { GroupCommit } from '../persistence/group-commit';
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

/** The keys of `values` whose value differs from `current`'s. */
function diff(current: object, values: Record<string, unknown>): SettingChange[] {
  return Object.entries(values)
    .filter(([key, value]) => !sameValue((current as Record<string, unknown>)[key], value))
    .map(([key, value]) => ({ key, from: (current as Record<string, unknown>)[key], to: value }));
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
  // Updates arriving during a save share the next one (the web UI and scripts can post many at once).
  private readonly commits: GroupCommit<T>;

  constructor(
    private readonly store: JsonStore,
    private readonly file: string,
    private readonly specs: Record<string, SettingSpec>,
    private readonly defaults: Readonly<T>,
  ) {
    this.logger = new Logger(`Settings:${file}`);
    this.current = structuredClone(defaults) as T;
    this.commits = new GroupCommit(this.mutex, {
      read: () => this.current,
      publish: (state) => (this.current = state),
      persist: (state) => this.store.save(this.file, state, { onFailure: 'refused' }),
      clone: (state) => ({ ...state }),
    });
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
      const raw = await this.store.load<Record<string, unknown>>(this.file, {
        defaults: () => ({}),
        validate: isJsonObject,
      });
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
  async update(
    partial: Record<string, unknown>,
    transform?: (values: Record<string, unknown>, current: T) => void,
  ): Promise<{ config: T; changes: SettingChange[]; ignored: string[] }> {
    const { changes, ignored } = await this.commits.submit(
      (draft) => {
        const { values, ignored } = coerceSettings(this.specs, partial);
        transform?.(values, draft);
        const changes = diff(draft, values);
        if (changes.length > 0) Object.assign(draft, values);
        return { changes, ignored };
      },
      (result) => result.changes.length > 0,
    );
    if (changes.length > 0) {
      this.logger.log(`Updated ${changes.map((c) => c.key).join(', ')}`);
      this.notify(changes);
    }
    return { config: this.current, changes, ignored };
  }

  /** Replaces the whole object (defaults restore); values are trusted. */
  async replace(next: T): Promise<SettingChange[]> {
    const changes = await this.commits.submit((draft) => {
      const changes = diff(draft, next as Record<string, unknown>);
      for (const key of Object.keys(draft)) delete (draft as Record<string, unknown>)[key];
      Object.assign(draft, next);
      return changes;
    });
    if (changes.length) this.notify(changes);
    return changes;
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
