// SPDX-License-Identifier: Apache-2.0
//! The testcase table: one place per family (IaaS here, KaaS in
//! `scs-kaas`) that says, for every testcase `scs` decides, which ids it
//! covers, which facts it needs and how it is decided. Everything else is
//! derived from it (what to gather, what is implemented, what to run live),
//! so a newcomer finds any testcase by its SCS id in one step, and a test
//! checks that every automated testcase of every embedded scope resolves to
//! exactly one entry.

/// Which testcase ids an entry covers.
#[derive(Clone, Copy)]
pub enum Ids {
    /// Exactly this id.
    Exact(&'static str),
    /// Ids that start with `prefix` and that `matches` accepts (the
    /// standard's list of properties, flavors or services).
    Pattern {
        /// Every id covered starts with it (for people and `scs scope show`).
        prefix: &'static str,
        /// Whether the id is covered.
        matches: fn(&str) -> bool,
    },
}

impl Ids {
    /// Whether `id` is covered.
    pub fn covers(&self, id: &str) -> bool {
        match self {
            Self::Exact(e) => *e == id,
            Self::Pattern { prefix, matches } => id.starts_with(prefix) && matches(id),
        }
    }
}

impl std::fmt::Display for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact(e) => f.write_str(e),
            Self::Pattern { prefix, .. } => write!(f, "{prefix}*"),
        }
    }
}

/// How a testcase is decided.
pub enum Method<D> {
    /// By a pure function of the facts gathered once.
    FromFacts(D),
    /// By creating resources (every one recorded in the cleanup ledger and
    /// deleted before the run ends).
    CreatesResources,
    /// From the results of an external suite (Sonobuoy's e2e runs), given
    /// or run.
    ExternalSuite,
}

impl<D> Method<D> {
    /// How `scs scope show` names it.
    pub fn label(&self) -> &'static str {
        match self {
            Self::FromFacts(_) => "from facts",
            Self::CreatesResources => "creates resources",
            Self::ExternalSuite => "external suite",
        }
    }
}

/// One entry: ids, the facts they need, how they are decided.
pub struct Testcase<N: 'static, D: 'static> {
    /// The ids covered.
    pub ids: Ids,
    /// The facts needed (gathered once for all selected testcases).
    pub needs: N,
    /// How it is decided.
    pub method: Method<D>,
}

/// A family's table.
pub struct Table<N: 'static, D: 'static> {
    /// The family (`IaaS`, `KaaS`).
    pub family: &'static str,
    /// Its entries.
    pub entries: &'static [Testcase<N, D>],
}

impl<N, D> Table<N, D> {
    /// The entry deciding `id`, if any (a test keeps it unique).
    pub fn get(&self, id: &str) -> Option<&'static Testcase<N, D>> {
        self.entries.iter().find(|e| e.ids.covers(id))
    }

    /// Every entry covering `id` (for the uniqueness test).
    pub fn all(&self, id: &str) -> Vec<&'static Testcase<N, D>> {
        self.entries.iter().filter(|e| e.ids.covers(id)).collect()
    }

    /// Whether the family decides `id` at all.
    pub fn decides(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The pure decision of `id`, if it is decided from facts.
    pub fn from_facts(&self, id: &str) -> Option<&'static D> {
        match &self.get(id)?.method {
            Method::FromFacts(d) => Some(d),
            _ => None,
        }
    }

    /// Whether `id` is decided by creating resources.
    pub fn creates(&self, id: &str) -> bool {
        self.get(id).is_some_and(|e| matches!(e.method, Method::CreatesResources))
    }

    /// Whether `id` is decided from an external suite's results.
    pub fn external(&self, id: &str) -> bool {
        self.get(id).is_some_and(|e| matches!(e.method, Method::ExternalSuite))
    }

    /// The needs of the facts-decided testcases among `ids`, merged.
    pub fn needs<'a>(&self, ids: impl IntoIterator<Item = &'a String>, merge: impl Fn(&mut N, &N)) -> N
    where
        N: Default,
    {
        let mut all = N::default();
        for entry in ids.into_iter().filter_map(|id| self.get(id)) {
            if matches!(entry.method, Method::FromFacts(_)) {
                merge(&mut all, &entry.needs);
            }
        }
        all
    }
}

/// A family as the check commands see it, whatever its facts and
/// decisions: `scs check` and `scs run` select through it the same way for
/// IaaS and KaaS.
pub trait Family: Sync {
    /// `IaaS`, `KaaS`.
    fn name(&self) -> &'static str;
    /// Whether the family decides `id`.
    fn decides(&self, id: &str) -> bool;
    /// Whether deciding `id` creates resources.
    fn creates(&self, id: &str) -> bool;
}

impl<N: Sync, D: Sync> Family for Table<N, D> {
    fn name(&self) -> &'static str {
        self.family
    }

    fn decides(&self, id: &str) -> bool {
        Table::decides(self, id)
    }

    fn creates(&self, id: &str) -> bool {
        Table::creates(self, id)
    }
}

/// `--read-only`: takes the testcases that create resources out of
/// `selection` and returns them, so the caller can say what is not run.
pub fn read_only(selection: &mut scs_standards::Selection, family: &dyn Family) -> Vec<String> {
    let skipped: Vec<String> = selection.to_run.iter().filter(|id| family.creates(id)).cloned().collect();
    selection.to_run.retain(|id| !family.creates(id));
    skipped
}
