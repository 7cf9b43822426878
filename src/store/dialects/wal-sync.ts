import { type FileHandle, open } from 'node:fs/promises';

/**
 * Makes an SQLite WAL durable without blocking the event loop.
 *
 * `node:sqlite` is synchronous: with `synchronous=FULL` every commit's fsync of the WAL (2–10 ms
 * on the disks measured) stops the whole process — no socket is read, no timer fires, no page is
 * parsed. Instead the connection runs with `synchronous=NORMAL` (the commit writes its WAL frames
 * into the page cache; SQLite still syncs around checkpoints and when the WAL restarts) and the
 * driver, after every commit that wrote, calls `sync()`: an fdatasync of the WAL file on libuv's
 * thread pool, awaited before the committing caller goes on and before the connection is given to
 * anyone else. The guarantee is the one `synchronous=FULL` gives within this process — a commit
 * is on disk before its caller sees it succeed, and no other caller reads it earlier — while the
 * event loop keeps serving other work during the flush. (Another process on the same file may read
 * a commit in the instant between its write and its flush; see docs/architecture.md.)
 *
 * WAL frames are appended in commit order, so one flush of the file covers every commit before it.
 */
export class WalSync {
  readonly #walPath: string;
  #handle: FileHandle | undefined;
  #closed = false;

  constructor(databasePath: string) {
    this.#walPath = `${databasePath}-wal`;
  }

  /** Resolves once every commit made so far is on disk. */
  async sync(): Promise<void> {
    if (this.#closed) return;
    if (!this.#handle) {
      // Opened on first use. SQLite creates the WAL file with the first write to it: without the
      // file, no commit has written anything yet, so there is nothing to flush.
      try {
        this.#handle = await open(this.#walPath, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    await this.#handle.datasync();
    // SQLite removes the WAL only when the last connection closes; should the file ever have been
    // replaced under this handle, flush the file that is there now rather than a detached one.
    if ((await this.#handle.stat()).nlink === 0) {
      await this.#handle.close();
      this.#handle = await open(this.#walPath, 'r');
      await this.#handle.datasync();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}
