import { describe, expect, it } from 'vitest';
import { deferredModule } from '../../src/renderer/src/lib/deferred-module';

describe('deferredModule', () => {
  it('loads once, tells subscribers, and then answers at once', async () => {
    let imports = 0;
    const module = deferredModule(async () => {
      imports += 1;
      return { name: 'palette' };
    });
    let told = 0;
    module.subscribe(() => (told += 1));
    expect(module.current()).toBeNull();
    const [first, second] = await Promise.all([module.load(), module.load()]);
    expect(first).toBe(second);
    expect(module.current()).toBe(first);
    expect(imports).toBe(1);
    expect(told).toBe(1);
  });

  it('tries again after a failed load (the console was restarting)', async () => {
    let attempts = 0;
    const module = deferredModule(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('fetch failed');
      return 42;
    });
    await expect(module.load()).rejects.toThrow('fetch failed');
    expect(module.current()).toBeNull();
    await expect(module.load()).resolves.toBe(42);
    expect(module.current()).toBe(42);
  });
});
