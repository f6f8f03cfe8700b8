/**
 * receive-buffers.ts: the download's receive buffers are kept for the next download (a few, of
 * the one size, never one moved to another thread), and chunks can be marked as owning their
 * whole buffer.
 */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  RECEIVE_BUFFER_BYTES,
  isWhollyOwned,
  keptReceiveBuffers,
  markWhollyOwned,
  returnReceiveBuffer,
  takeReceiveBuffer,
} from '../../src/main/receive-buffers';

describe('receive buffers', () => {
  it('keeps returned buffers of the one size, a few at most, and hands them out again', () => {
    while (keptReceiveBuffers() > 0) takeReceiveBuffer();
    const first = takeReceiveBuffer();
    expect(first.length).toBe(RECEIVE_BUFFER_BYTES);
    returnReceiveBuffer(first.buffer as ArrayBuffer);
    // The same memory comes back, once.
    returnReceiveBuffer(first.buffer as ArrayBuffer);
    expect(keptReceiveBuffers()).toBe(1);
    expect(takeReceiveBuffer().buffer).toBe(first.buffer);
    expect(keptReceiveBuffers()).toBe(0);
    // Another size is not kept.
    returnReceiveBuffer(new ArrayBuffer(1024));
    expect(keptReceiveBuffers()).toBe(0);
    // Nor more than six.
    for (let i = 0; i < 10; i += 1) returnReceiveBuffer(new ArrayBuffer(RECEIVE_BUFFER_BYTES));
    expect(keptReceiveBuffers()).toBe(6);
    while (keptReceiveBuffers() > 0) takeReceiveBuffer();
  });

  it('never keeps a buffer that moved to another thread (detached: its length reads 0)', () => {
    const moved = new ArrayBuffer(RECEIVE_BUFFER_BYTES);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(moved, [moved]);
    port1.close();
    port2.close();
    expect(moved.byteLength).toBe(0);
    returnReceiveBuffer(moved);
    expect(keptReceiveBuffers()).toBe(0);
  });

  it('marks chunks that own their whole buffer, and only those', () => {
    const buffer = takeReceiveBuffer();
    const chunk = buffer.subarray(100, 5000);
    expect(isWhollyOwned(chunk)).toBe(false);
    markWhollyOwned(chunk);
    expect(isWhollyOwned(chunk)).toBe(true);
    expect(isWhollyOwned(buffer.subarray(100, 5000))).toBe(false);
  });
});
