// SPDX-License-Identifier: Apache-2.0
//! The read-only IaaS testcases of SCS-compatible IaaS, by standard.

pub mod live;
mod scs_0100;
mod scs_0102;
mod scs_0103;
mod scs_0104;
mod scs_0104_v2;
mod scs_0114;
mod scs_0115;
mod scs_0123;
mod table;

pub use table::IAAS;

use crate::Outcome;
use crate::facts::{Facts, Needs};
use scs_openstack::resources::Image;

/// Choices where upstream code and standard text differ (docs/checks.md).
/// The default follows upstream's code, so a cloud passes here exactly when
/// it passes the official suite.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Follow the standard text where it is stricter than upstream's code:
    /// scs-0102 `hw_disk_bus` must be set (upstream accepts it unset).
    pub follow_text: bool,
    /// scs-0123-swift-s3 accepts only upstream's S3 error codes
    /// (`InvalidAccessKeyId`, `NoSuchKey`), not those of Swift's s3api.
    pub strict_s3_probe: bool,
    /// Judge the community images of other projects too. Upstream's run
    /// does not see them: openstacksdk's `list_images(show_all=True)` asks
    /// for Glance's default listing, which leaves them out.
    pub all_community_images: bool,
}

/// Whether this crate decides `id` from facts.
pub fn implemented(id: &str) -> bool {
    IAAS.from_facts(id).is_some()
}

/// Whether this crate decides `id` at all (from facts, or by creating resources).
pub fn decides(id: &str) -> bool {
    IAAS.decides(id)
}

/// The union of the facts `ids` need.
pub fn needs(ids: &[String]) -> Needs {
    IAAS.needs(ids, |all, n| {
        all.flavors |= n.flavors;
        all.images |= n.images;
        all.volume_types |= n.volume_types;
        all.default_rules |= n.default_rules;
    })
}

/// Decides `id`; `None` if the testcase is not decided from facts.
pub fn decide(id: &str, facts: &Facts, options: &Options) -> Option<Outcome> {
    Upstream::view(facts, options).decide(id, options)
}

/// Decides each of `ids` (`None` for one not decided from facts), with the
/// view of upstream's image listing made once for all of them.
pub fn decide_all<'a>(ids: &'a [String], facts: &Facts, options: &Options) -> Vec<(&'a String, Option<Outcome>)> {
    let view = Upstream::view(facts, options);
    ids.iter().map(|id| (id, view.decide(id, options))).collect()
}

/// The facts as upstream's run sees them: without other projects' community
/// images (unless `--all-community-images`), and how many those were.
struct Upstream<'a> {
    facts: &'a Facts,
    seen: Option<Facts>,
    foreign: usize,
}

impl<'a> Upstream<'a> {
    fn view(facts: &'a Facts, options: &Options) -> Self {
        let foreign = if options.all_community_images { 0 } else { foreign_community_images(facts) };
        let seen = (foreign > 0).then(|| {
            let mut seen = facts.clone();
            if let (Ok(images), Some(project)) = (&mut seen.images, &facts.project_id) {
                images.retain(|i| !foreign_community(i, project));
            }
            seen
        });
        Self { facts, seen, foreign }
    }

    fn decide(&self, id: &str, options: &Options) -> Option<Outcome> {
        let decide = IAAS.from_facts(id)?;
        let seen = match &self.seen {
            Some(seen) if needs(&[id.to_owned()]).images => seen,
            _ => return decide(self.facts, id, options),
        };
        let mut outcome = decide(seen, id, options)?;
        outcome.evidence.push(format!(
            "{} community image(s) of other projects not judged: upstream's listing does not show them (--all-community-images judges them)",
            self.foreign
        ));
        Some(outcome)
    }
}

/// How many listed images are community images of another project than the
/// checking one (none where the facts do not name the project).
fn foreign_community_images(facts: &Facts) -> usize {
    match (&facts.images, &facts.project_id) {
        (Ok(images), Some(project)) => images.iter().filter(|i| foreign_community(i, project)).count(),
        _ => 0,
    }
}

/// Glance lists a community image without a `visibility` filter only to the
/// project that owns it, admins included.
fn foreign_community(image: &Image, project: &str) -> bool {
    image.visibility == "community" && image.owner.as_deref().is_some_and(|owner| owner != project)
}
