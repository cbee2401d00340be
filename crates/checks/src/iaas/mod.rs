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
    let decide = IAAS.from_facts(id)?;
    let judges_images = needs(&[id.to_owned()]).images;
    let foreign = if options.all_community_images || !judges_images { 0 } else { foreign_community_images(facts) };
    if foreign == 0 {
        return decide(facts, id, options);
    }
    // what upstream's run sees: the images without other projects' community ones
    let mut seen = facts.clone();
    if let (Ok(images), Some(project)) = (&mut seen.images, &facts.project_id) {
        images.retain(|i| !foreign_community(i, project));
    }
    let mut outcome = decide(&seen, id, options)?;
    outcome.evidence.push(format!(
        "{foreign} community image(s) of other projects not judged: upstream's listing does not show them (--all-community-images judges them)"
    ));
    Some(outcome)
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
