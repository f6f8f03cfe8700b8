/**
 * Store URIs as they are shown: an etcd password or token, and query values, never appear;
 * the rest of the URI stays readable, and URIs that do not parse are redacted too.
 */
import { describe, expect, it } from 'vitest';
import {
  hideStoreUriSecrets,
  parseStoreUri,
  redactStoreUri,
  storeUriSecrets,
} from '../../../src/consumer/store-reader';

describe('redactStoreUri', () => {
  it('hides the password, a bare token and query values, and nothing else', () => {
    expect(redactStoreUri('etcd://admin:s3cret@10.0.0.5:2379/aideon')).toBe(
      'etcd://admin:***@10.0.0.5:2379/aideon',
    );
    expect(redactStoreUri('etcd://tok3n@10.0.0.5:2379/aideon')).toBe(
      'etcd://***@10.0.0.5:2379/aideon',
    );
    expect(redactStoreUri('etcd://10.0.0.5:2379/aideon?token=abcd&x=1#frag')).toBe(
      'etcd://10.0.0.5:2379/aideon?token=***&x=***#frag',
    );
    expect(redactStoreUri('etcd://10.0.0.5:2379/aideon')).toBe('etcd://10.0.0.5:2379/aideon');
    expect(redactStoreUri('dir:/srv/a@b?c=d')).toBe('dir:/srv/a@b?c=d');
  });

  it('hides a password that holds an @ whole, even when the URI does not parse', () => {
    expect(redactStoreUri('etcd://u:p@ss@host/x')).toBe('etcd://u:***@host/x');
    expect(storeUriSecrets('etcd://u:p@ss@host/x')).toEqual(['p@ss']);
    expect(() => parseStoreUri('etcd://u:p@ss@host/x')).toThrow(
      /"etcd:\/\/u:\*\*\*@host\/x" needs a port/,
    );
  });

  it('scrubs the URI and its secrets from a message', () => {
    const uri = 'etcd://admin:s3cret@10.0.0.5:2379/aideon';
    expect(hideStoreUriSecrets(`acts for ${uri}; auth s3cret refused`, uri)).toBe(
      'acts for etcd://admin:***@10.0.0.5:2379/aideon; auth *** refused',
    );
    // A secret under four characters is not scrubbed apart (it would garble the text), but the
    // URI holding it is still shown redacted.
    expect(hideStoreUriSecrets(`on etcd://a:xy@h:1/p, xy`, 'etcd://a:xy@h:1/p')).toBe(
      'on etcd://a:***@h:1/p, xy',
    );
  });
});

describe('parseStoreUri and credentials', () => {
  it('refuses an etcd URI with a user name or password (the store never logs in), without showing the password', () => {
    for (const uri of [
      'etcd://admin:s3cret@10.0.0.5:2379/aideon',
      'etcd://tok3n@10.0.0.5:2379/aideon',
    ]) {
      let message = '';
      try {
        parseStoreUri(uri);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(
        /carries a user name or password, but the console does not log in to etcd/,
      );
      expect(message).not.toMatch(/s3cret|tok3n/);
    }
    expect(parseStoreUri('etcd://10.0.0.5:2379/aideon')).toEqual({
      kind: 'etcd',
      endpoint: 'http://10.0.0.5:2379',
      prefix: 'aideon',
    });
  });
});
