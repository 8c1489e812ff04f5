#include "dialer/telnyx/dial_pacer.hpp"

#include <algorithm>

namespace dialer::telnyx {
using namespace std::chrono;

dial_pacer::dial_pacer(double dials_per_second) {
  if (dials_per_second <= 0) return;
  interval_ = duration_cast<clock::duration>(duration<double>(1.0 / dials_per_second));
  tolerance_ = std::max<clock::duration>(interval_, milliseconds(50));
}

dial_pacer::clock::time_point dial_pacer::take(clock::time_point now) {
  const auto slot = std::max(next_, now - slip_);  // after a quiet spell the schedule starts again now
  next_ = slot + interval_;
  return slot;
}

void dial_pacer::left(clock::time_point slot, clock::time_point now) {
  const auto late = now - due(slot);
  if (interval_ > clock::duration::zero() && late > tolerance_) slip_ += late - tolerance_;
}

}  // namespace dialer::telnyx
