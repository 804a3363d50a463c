/*
 * kvm.h: what target/i386/kvm.c exports besides its constructor.
 *
 * x86_kvm_ops is the KvmTargetOps table kvm.c registers for "x86_64"
 * (include/system/kvm.h).  Only tests name it: test-x86-kvm-debug.c drives
 * its guest-debug hooks with kvm_fake_ioctls(); the accelerator finds it
 * through kvm_register_target().  Read-only.
 */
#ifndef TARGET_I386_KVM_H
#define TARGET_I386_KVM_H

#include "system/kvm.h"

extern const KvmTargetOps x86_kvm_ops;

#endif
