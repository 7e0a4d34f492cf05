// libFuzzer target for the protocol decoders: the header decoder and every
// message body decoder must reject or accept any bytes without undefined
// behaviour, and what they accept must re-encode to an equal message.
#include "runtime/protocol/ControllerMessages.h"

#include <cstdint>
#include <cstdlib>
#include <span>

using namespace wooly::protocol;

namespace {

template <typename T> void roundTrip(std::span<const uint8_t> body) {
  auto decoded = decodeBody<T>(body);
  if (!decoded.isOk())
    return;
  auto again = decodeBody<T>(encodeBody(*decoded));
  if (!again.isOk() || !(*again == *decoded))
    std::abort(); // the codec is not symmetric
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  std::span<const uint8_t> body(data + 1, size - 1);
  switch (data[0] % 14) {
  case 0:
    (void)decodeHeader(body);
    break;
  case 1:
    roundTrip<RegisterServerMsg>(body);
    break;
  case 2:
    roundTrip<RegisterReplyMsg>(body);
    break;
  case 3:
    roundTrip<TelemetryMsg>(body);
    break;
  case 4:
    roundTrip<TelemetryReplyMsg>(body);
    break;
  case 5:
    roundTrip<DeregisterMsg>(body);
    break;
  case 6:
    roundTrip<DeregisterReplyMsg>(body);
    break;
  case 7:
    roundTrip<PlacementRequestMsg>(body);
    break;
  case 8:
    roundTrip<PlacementReplyMsg>(body);
    break;
  case 9:
    roundTrip<FleetStatusRequestMsg>(body);
    break;
  case 10:
    roundTrip<FleetStatusReplyMsg>(body);
    break;
  case 11:
    roundTrip<ErrorReplyMsg>(body);
    break;
  case 12:
    roundTrip<PingMsg>(body);
    break;
  case 13:
    roundTrip<PongMsg>(body);
    break;
  }
  return 0;
}
