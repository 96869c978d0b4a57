// A C++ user of the capture header (tests/scripts/t_capture_cxx.sh): RAII
// regions and tasks over the C API, threads from <thread>, a condition
// variable whose waits are recorded. Built with -std=c++17 -Werror.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gotrace_capture.h"

namespace {

class Region {
  public:
    Region(uint64_t task, const gt_cap_str *name) : task_(task), name_(name) { gt_cap_region_begin(task_, name_); }
    ~Region() { gt_cap_region_end(task_, name_); }
    Region(const Region &) = delete;
    Region &operator=(const Region &) = delete;

  private:
    uint64_t task_;
    const gt_cap_str *name_;
};

class Task {
  public:
    explicit Task(const gt_cap_str *name) : id_(gt_cap_task_begin(0, name)) {}
    ~Task() { gt_cap_task_end(id_); }
    uint64_t id() const { return id_; }

  private:
    uint64_t id_;
};

std::mutex mu;
std::condition_variable cv;
int ready = 0;

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = argv[1];
    c.period_ns = 10000000;
    if (gt_cap_start(&c) != GT_OK) return 1;
    const gt_cap_str *work = gt_cap_string("cxx-work"), *step = gt_cap_string("cxx-step");
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; i++) {
        threads.emplace_back([=] {
            Task t(work);
            {
                Region r(t.id(), step);
                std::string msg = "thread " + std::to_string(i);
                gt_cap_log(t.id(), step, msg.data(), msg.size());
            }
            std::unique_lock<std::mutex> lk(mu);
            while (!ready) {
                gt_cap_block(GT_CAP_WAIT_COND);
                cv.wait(lk);
                gt_cap_unblock();
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
        std::lock_guard<std::mutex> lk(mu);
        ready = 1;
    }
    cv.notify_all();
    for (auto &t : threads) t.join();
    return gt_cap_stop() == GT_OK ? 0 : 1;
}
