//! Notification status and the rule that it only moves forward.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    /// Recorded and waiting in the queue.
    Queued,
    /// A worker is handing it to the provider.
    Sending,
    /// The provider sent it towards the handset.
    Sent,
    /// The handset received it.
    Delivered,
    /// The customer opened it (WhatsApp, RCS).
    Read,
    /// It could not be sent or delivered.
    Failed,
}

/// Whether a status change is applied or ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The new status is further along: record it.
    Advance,
    /// Same, earlier or contradicted status (an out-of-order or duplicate event): ignore.
    Ignore,
}

impl NotificationStatus {
    /// Every status in life order (failed last).
    pub const ALL: [Self; 6] = [
        Self::Queued,
        Self::Sending,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Failed,
    ];

    /// The wire name, `"delivered"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }

    /// The name shown on the status badge, `"Delivered"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Sending => "Sending",
            Self::Sent => "Sent",
            Self::Delivered => "Delivered",
            Self::Read => "Read",
            Self::Failed => "Failed",
        }
    }

    /// Position on the way to the handset; `failed` has none.
    fn rank(self) -> Option<u8> {
        match self {
            Self::Queued => Some(0),
            Self::Sending => Some(1),
            Self::Sent => Some(2),
            Self::Delivered => Some(3),
            Self::Read => Some(4),
            Self::Failed => None,
        }
    }

    /// Whether moving from `self` to `next` is progress.
    ///
    /// Statuses only move forward (queued < sending < sent < delivered < read).
    /// `failed` ends a message that has not been delivered; a later delivery or read
    /// receipt proves the failure wrong and wins. A failure reported after delivery is
    /// stale and ignored (providers do not promise order).
    pub fn transition_to(self, next: Self) -> Transition {
        let advance = match (self.rank(), next.rank()) {
            (Some(from), Some(to)) => to > from,
            (Some(from), None) => from < 3,
            (None, Some(to)) => to >= 3,
            (None, None) => false,
        };
        if advance {
            Transition::Advance
        } else {
            Transition::Ignore
        }
    }

    /// True for statuses after which nothing is expected to change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Read | Self::Failed)
    }

    /// True for statuses after which nothing is expected on `channel`: SMS reports no
    /// reading, so `delivered` is as far as an SMS goes.
    pub fn is_final_on(self, channel: super::Channel) -> bool {
        self.is_final() || (channel == super::Channel::Sms && self == Self::Delivered)
    }

    /// True once the message reached the handset or failed: no provider is handling
    /// it any more, so nothing may send it again (an SMS fallback included).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Delivered | Self::Read | Self::Failed)
    }

    /// True while the message waits for a provider to take it.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Sending)
    }
}

impl fmt::Display for NotificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown notification status")]
pub struct UnknownStatus;

impl FromStr for NotificationStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::NotificationStatus::*;
    use super::*;

    #[test]
    fn status_moves_forward_along_the_happy_path() {
        let path = [Queued, Sending, Sent, Delivered, Read];
        for pair in path.windows(2) {
            assert_eq!(pair[0].transition_to(pair[1]), Transition::Advance);
            assert_eq!(pair[1].transition_to(pair[0]), Transition::Ignore);
        }
        assert_eq!(Queued.transition_to(Delivered), Transition::Advance);
    }

    #[test]
    fn a_repeated_status_is_ignored() {
        for s in NotificationStatus::ALL {
            assert_eq!(s.transition_to(s), Transition::Ignore);
        }
    }

    #[test]
    fn failure_ends_an_undelivered_message_but_not_a_delivered_one() {
        assert_eq!(Sending.transition_to(Failed), Transition::Advance);
        assert_eq!(Sent.transition_to(Failed), Transition::Advance);
        assert_eq!(Delivered.transition_to(Failed), Transition::Ignore);
        assert_eq!(Read.transition_to(Failed), Transition::Ignore);
    }

    #[test]
    fn a_later_delivery_receipt_overrides_a_failure() {
        assert_eq!(Failed.transition_to(Delivered), Transition::Advance);
        assert_eq!(Failed.transition_to(Read), Transition::Advance);
        assert_eq!(Failed.transition_to(Sent), Transition::Ignore);
    }

    #[test]
    fn once_delivered_no_sequence_of_events_undoes_it() {
        for a in NotificationStatus::ALL {
            for b in NotificationStatus::ALL {
                let mut s = Delivered;
                for e in [a, b] {
                    if s.transition_to(e) == Transition::Advance {
                        s = e;
                    }
                }
                assert!(matches!(s, Delivered | Read), "{a} then {b} gave {s}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in NotificationStatus::ALL {
            assert_eq!(s.as_str().parse::<NotificationStatus>(), Ok(s));
        }
    }
}
