/** Time boxes for the calls channels make to their platforms. */
/** Rejects with `error()` when `task` takes longer than `ms` (the task itself is not cancelled). */
export async function within(task, ms, error) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(error()), ms);
    });
    try {
        return await Promise.race([task, timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
