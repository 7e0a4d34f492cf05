//===- FencedRun.cpp - One bench case as woolyd runs it -------------------===//

#include "bench/gpu/FencedRun.h"

namespace wooly::bench {

namespace {

std::string failed(const char *what, const exec::Status &status) {
  return std::string(what) + ": " + exec::errorCodeName(status.code) + " " +
         status.message;
}

} // namespace

std::string FencedRun::create(exec::Context &context, const std::string &wis,
                              const Case &c, std::unique_ptr<FencedRun> &out) {
  std::unique_ptr<FencedRun> run(new FencedRun(context, c));
  std::span<const uint8_t> image(reinterpret_cast<const uint8_t *>(wis.data()),
                                 wis.size());
  if (exec::Status s = context.loadModule(image, run->module); !s)
    return failed("loadModule", s);
  exec::KernelInfo info;
  if (exec::Status s =
          context.getFunction(run->module, c.kernel, run->function, info);
      !s)
    return failed("getFunction", s);
  for (const Buffer &buffer : c.buffers) {
    exec::DevicePtr ptr = 0;
    if (exec::Status s = context.allocate(buffer.bytes, ptr); !s)
      return failed("allocate", s);
    run->buffers.push_back(ptr);
  }
  // The argument buffer at the offsets the kernel's signature gives; a
  // size that differs from the case's means the case is wrong.
  if (info.params.size() != c.args.size())
    return "the kernel takes " + std::to_string(info.params.size()) +
           " parameters, the case passes " + std::to_string(c.args.size());
  run->args.assign(info.argBufferSize, 0);
  for (size_t i = 0; i < c.args.size(); ++i) {
    const Arg &arg = c.args[i];
    Bytes value = arg.buffer >= 0 ? bytesOf(run->buffers[arg.buffer])
                                  : arg.value;
    const exec::ParamInfo &param = info.params[i];
    if (value.size() != param.size ||
        param.offset + param.size > run->args.size())
      return "parameter " + std::to_string(i) + " is " +
             std::to_string(param.size) + " bytes, the case passes " +
             std::to_string(value.size());
    std::memcpy(run->args.data() + param.offset, value.data(), value.size());
  }
  for (const Constant &constant : c.constants) {
    exec::DevicePtr ptr = 0;
    uint64_t size = 0;
    if (exec::Status s =
            context.getGlobal(run->module, constant.symbol, ptr, size);
        !s)
      return failed("getGlobal", s);
    if (size != constant.value.size())
      return std::string(constant.symbol) + " is " + std::to_string(size) +
             " bytes";
    if (exec::Status s = context.copyToDevice(ptr, constant.value.data(),
                                              size, 0);
        !s)
      return failed("copyToDevice", s);
  }
  if (c.stackBytes) {
    uint64_t granted = 0;
    if (exec::Status s = context.setStackSize(c.stackBytes, granted); !s)
      return failed("setStackSize", s);
  }
  run->config.grid = {c.grid[0], c.grid[1], c.grid[2]};
  run->config.block = {c.block[0], c.block[1], c.block[2]};
  run->config.dynamicSharedBytes = c.sharedBytes;
  if (exec::Status s = context.createEvent(run->start); !s)
    return failed("createEvent", s);
  if (exec::Status s = context.createEvent(run->stop); !s)
    return failed("createEvent", s);
  if (exec::Status s = context.synchronize(0); !s)
    return failed("synchronize", s);
  out = std::move(run);
  return "";
}

FencedRun::~FencedRun() {
  (void)context.synchronize(0);
  for (exec::DevicePtr ptr : buffers)
    (void)context.free(ptr);
  if (start)
    (void)context.destroyEvent(start);
  if (stop)
    (void)context.destroyEvent(stop);
  if (module)
    (void)context.unloadModule(module);
}

std::string FencedRun::reset(const std::vector<Bytes> &inputs) {
  for (size_t i = 0; i < buffers.size(); ++i)
    if (exec::Status s = context.copyToDevice(buffers[i], inputs[i].data(),
                                              inputs[i].size(), 0);
        !s)
      return failed("copyToDevice", s);
  return "";
}

std::string FencedRun::launch() {
  if (exec::Status s = context.launch(function, config, args, 0); !s)
    return failed("launch", s);
  return "";
}

std::string FencedRun::read(unsigned index, Bytes &out) {
  out.resize(c.buffers[index].bytes);
  if (exec::Status s =
          context.copyToHost(out.data(), buffers[index], out.size(), 0);
      !s)
    return failed("copyToHost", s);
  if (exec::Status s = context.synchronize(0); !s)
    return failed("synchronize", s);
  return "";
}

std::string FencedRun::time(float &us) {
  if (exec::Status s = context.recordEvent(start, 0); !s)
    return failed("recordEvent", s);
  if (std::string error = launch(); !error.empty())
    return error;
  if (exec::Status s = context.recordEvent(stop, 0); !s)
    return failed("recordEvent", s);
  if (exec::Status s = context.synchronizeEvent(stop); !s)
    return failed("synchronizeEvent", s);
  float ms = 0;
  if (exec::Status s = context.elapsedTime(start, stop, ms); !s)
    return failed("elapsedTime", s);
  us = ms * 1000.0f;
  return "";
}

} // namespace wooly::bench
