// SPDX-License-Identifier: Apache-2.0
//! API-key checks on a fixed set of threads. argon2 fills 19 MiB per check,
//! and the allocator keeps freed memory in the arena of the thread that used
//! it: checks on tokio's blocking pool (up to 512 threads, each with its own
//! arena) grew the process to 488 MiB under 128 concurrent wrong-password
//! uploads although only two ran at once. A fixed set of threads, each
//! filling one buffer it keeps, bounds both how many checks run at once and
//! the memory they hold: threads × the accounts' memory cost
//! (`lab/bench-attack`).

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// One check: any of `hashes` matches `password`; the answer goes to `answer`.
struct Job {
    hashes: Vec<String>,
    password: String,
    answer: tokio::sync::oneshot::Sender<bool>,
}

/// The threads checking API keys; they end when the last clone is dropped.
#[derive(Clone)]
pub struct PasswordChecks {
    jobs: mpsc::Sender<Job>,
    threads: usize,
}

impl std::fmt::Debug for PasswordChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChecks").field("threads", &self.threads).finish()
    }
}

impl PasswordChecks {
    /// `threads` checking threads (at least one), waiting for work.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new().name(format!("scs-password-{n}")).spawn(move || {
                // argon2's memory, filled anew by every check on this thread
                let mut memory = Vec::new();
                loop {
                    // the lock is held only while waiting for the next job
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(poisoned) => poisoned.into_inner().recv(),
                    };
                    let Ok(job) = job else { return }; // every sender is gone
                    let ok =
                        job.hashes.iter().any(|h| crate::accounts::verify_hash_with(h, &job.password, &mut memory));
                    let _ = job.answer.send(ok);
                }
            });
            if let Err(e) = spawned {
                tracing::error!("starting password-check thread {n}: {e}");
            }
        }
        Self { jobs, threads }
    }

    /// How many checks run at once.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Whether `password` matches any of `hashes`; waits for a free thread.
    /// False when no thread could take the check.
    pub async fn check(&self, hashes: Vec<String>, password: String) -> bool {
        let (answer, answered) = tokio::sync::oneshot::channel();
        if self.jobs.send(Job { hashes, password, answer }).is_err() {
            return false;
        }
        answered.await.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checks_answer_for_each_hash_kind_and_run_on_the_named_threads() {
        let bcrypt = bcrypt::hash("right", 4).unwrap_or_default();
        let checks = PasswordChecks::new(2);
        assert!(checks.check(vec!["$2x-not-a-hash".into(), bcrypt.clone()], "right".into()).await);
        assert!(!checks.check(vec![bcrypt], "wrong".into()).await);
        assert!(!checks.check(Vec::new(), "right".into()).await);
        assert_eq!(checks.threads(), 2);
        assert_eq!(PasswordChecks::new(0).threads(), 1);
    }
}
