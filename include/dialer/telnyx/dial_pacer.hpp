// The REST client's dial pacing: dials 1/dials_per_second apart, on a schedule that slips when the
// sender falls behind. A dial that leaves more than the tolerance after its slot moves every later slot
// by the excess, so the dials queued behind a stalled thread do not all leave at once (Telnyx counts
// them in one second). Lateness within the tolerance (timer and event-loop jitter) is caught up, so the
// rate holds on a busy machine. Pure: the caller passes the time and does the waiting.
#pragma once
#include <chrono>

namespace dialer::telnyx {

class dial_pacer {
 public:
  using clock = std::chrono::steady_clock;

  // rate <= 0: no pacing (every dial is due at once).
  explicit dial_pacer(double dials_per_second);

  // A new dial's slot, on the schedule as it stands unslipped; 1/rate after the previous one.
  clock::time_point take(clock::time_point now);
  // When the dial holding `slot` may leave: later whenever the schedule slipped meanwhile.
  clock::time_point due(clock::time_point slot) const { return slot + slip_; }
  // The dial holding `slot` leaves at `now` (no earlier than due(slot)).
  void left(clock::time_point slot, clock::time_point now);

  // One interval (a second dial may then follow at once: rate + 1 in a second at worst), and never
  // less than 50 ms. At high rates the engine thread, busy placing the dials, is often 10-50 ms late;
  // a 10 ms floor slipped the schedule so often that the dials waiting here piled up (the full scale
  // row's peak RSS went from 51-59 MiB to 91-95 MiB).
  clock::duration tolerance() const { return tolerance_; }

 private:
  clock::duration interval_{};
  clock::duration tolerance_{};
  clock::time_point next_{};   // the next free slot, unslipped
  clock::duration slip_{};     // how far the schedule has moved back
};

}  // namespace dialer::telnyx
