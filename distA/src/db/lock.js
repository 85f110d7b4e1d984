/** A FIFO lock (the one each SQLite file's connections take turns on, see sqlite-adapter.ts). */
export class Lock {
    #tail = Promise.resolve();
    /** Callers waiting for it (not counting the holder). */
    waiting = 0;
    /** Waits for the lock; resolves with its release. */
    acquire() {
        let release;
        const held = new Promise((resolve) => (release = resolve));
        this.waiting++;
        const ready = this.#tail.then(() => {
            this.waiting--;
            return release;
        });
        this.#tail = this.#tail.then(() => held);
        return ready;
    }
}
