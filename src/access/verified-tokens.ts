/**
 * Tokens whose secret this process has already checked with bcrypt, by SHA-256 digest (never the
 * token itself). A secret never changes (rotation issues a new key), so an entry stays true until the
 * key is revoked; status and permissions are re-resolved separately, without bcrypt.
 */
export class VerifiedTokens {
  private readonly keyIdByDigest = new Map<string, string>();
  private readonly digestsByKeyId = new Map<string, Set<string>>();

  constructor(private readonly maxEntries = 100_000) {}

  get(digest: string): string | undefined {
    return this.keyIdByDigest.get(digest);
  }

  add(digest: string, keyId: string): void {
    if (this.keyIdByDigest.size >= this.maxEntries) {
      const oldest = this.keyIdByDigest.keys().next().value;
      if (oldest !== undefined) this.deleteDigest(oldest);
    }
    this.keyIdByDigest.set(digest, keyId);
    const set = this.digestsByKeyId.get(keyId) ?? new Set<string>();
    if (!set.size) this.digestsByKeyId.set(keyId, set);
    set.add(digest);
  }

  forgetKey(keyId: string): void {
    for (const digest of this.digestsByKeyId.get(keyId) ?? []) this.keyIdByDigest.delete(digest);
    this.digestsByKeyId.delete(keyId);
  }

  clear(): void {
    this.keyIdByDigest.clear();
    this.digestsByKeyId.clear();
  }

  private deleteDigest(digest: string): void {
    const keyId = this.keyIdByDigest.get(digest);
    this.keyIdByDigest.delete(digest);
    if (keyId === undefined) return;
    const set = this.digestsByKeyId.get(keyId);
    set?.delete(digest);
    if (set && !set.size) this.digestsByKeyId.delete(keyId);
  }
}
