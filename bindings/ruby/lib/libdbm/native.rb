# Loads libdbm.so.1 and attaches the C functions the binding calls, with
# their exact signatures. Functions marked blocking release Ruby's GVL
# during the call (store opens, commits and checkpoints, fits, summaries,
# scoring), so other Ruby threads run meanwhile.
require "ffi"

module Libdbm
  module Native
    extend FFI::Library

    SONAME = "libdbm.so.1"

    # $LIBDBM_LIBRARY, else the source tree's default build directory
    # (bindings/ruby/lib/libdbm -> build/lib), else the linker's search path.
    def self.candidates
      explicit = ENV["LIBDBM_LIBRARY"]
      return [explicit] if explicit && !explicit.empty?
      build_tree = File.expand_path("../../../../build/lib/#{SONAME}", __FILE__)
      (File.exist?(build_tree) ? [build_tree] : []) + [SONAME]
    end

    begin
      ffi_lib candidates
    rescue LoadError => e
      raise LoadError, "cannot load libdbm (set LIBDBM_LIBRARY to the path of #{SONAME}): #{e.message}"
    end

    callback :malloc_fn, [:size_t, :pointer], :pointer
    callback :realloc_fn, [:pointer, :size_t, :pointer], :pointer
    callback :free_fn, [:pointer, :pointer], :void
    callback :log_fn, [:int, :string, :pointer], :void
    callback :clock_fn, [:pointer], :int64
    callback :consent_fn, [:string, :string, :int, :int64, :string, :string, :pointer], :int
    callback :stale_fn, [:string, :string, :string, :int64, :pointer], :int

    # Option structs, laid out as in the C headers.
    class ContextOptions < FFI::Struct
      layout :struct_size, :uint32, :log_level, :int32,
             :malloc_fn, :malloc_fn, :realloc_fn, :realloc_fn, :free_fn, :free_fn,
             :alloc_user_data, :pointer, :log_fn, :log_fn, :log_user_data, :pointer,
             :clock_fn, :clock_fn, :clock_user_data, :pointer
    end

    class StoreOptions < FFI::Struct
      layout :struct_size, :uint32, :flags, :uint32, :money_scale, :int64,
             :compress_snapshots, :int32, :reserved, :int32, :checkpoint_log_bytes, :int64
    end

    class FitOptions < FFI::Struct
      layout :struct_size, :uint32, :penalizer, :double, :max_iterations, :int32,
             :tolerance, :double, :initial, :pointer
    end

    class RfmOptions < FFI::Struct
      layout :struct_size, :uint32, :bins, :int32, :monetary_mode, :int32,
             :frequency_mode, :int32, :lookback_days, :int32
    end

    class ScoreOptions < FFI::Struct
      layout :struct_size, :uint32, :unit, :int32, :horizon, :int32, :clv_months, :int32,
             :monthly_discount, :double, :margin, :double, :threads, :int32, :reserved, :int32
    end

    P = :pointer
    S = :string
    I = :int
    I32 = :int32
    I64 = :int64
    D = :double

    # name => [argument types, return type, blocking?]
    SIGNATURES = {
      # common
      libdbm_strerror: [[I], :string],
      libdbm_version: [[], :string],
      libdbm_has_feature: [[I], I],
      libdbm_free_string: [[P], :void],
      libdbm_free_blob: [[P], :void],
      # context
      libdbm_context_options_init: [[ContextOptions.by_ref], I],
      libdbm_context_new: [[P, ContextOptions.by_ref], I],
      libdbm_context_free: [[P], :void],
      libdbm_context_set_clock: [[P, :clock_fn, P], I],
      libdbm_context_set_zoneinfo_dir: [[P, S], I],
      libdbm_context_now: [[P], I64],
      libdbm_context_errmsg: [[P], :string],
      libdbm_context_errcode: [[P], I],
      # time and time zones
      libdbm_time_parse: [[P, S], I],
      libdbm_time_format: [[P, :size_t, I64], I],
      libdbm_time_format_date: [[P, :size_t, I64], I],
      libdbm_tz_offset: [[P, P, S, I64], I],
      # store
      libdbm_store_options_init: [[StoreOptions.by_ref], I],
      libdbm_store_open: [[P, P, S, StoreOptions.by_ref], I, true],
      libdbm_store_close: [[P], I, true],
      libdbm_store_begin: [[P], I],
      libdbm_store_commit: [[P], I, true],
      libdbm_store_rollback: [[P], I],
      libdbm_store_checkpoint: [[P], I, true],
      libdbm_store_profile_ensure: [[P, P, S], I],
      libdbm_store_profile_exists: [[P, P, S], I],
      libdbm_store_profile_resolve: [[P, P, S], I],
      libdbm_store_profile_count: [[P, P], I],
      libdbm_store_attr_declare: [[P, S, I], I],
      libdbm_store_attr_set_string: [[P, S, S, S], I],
      libdbm_store_attr_set_int64: [[P, S, S, I64], I],
      libdbm_store_attr_set_double: [[P, S, S, D], I],
      libdbm_store_attr_set_bool: [[P, S, S, I], I],
      libdbm_store_attr_set_time: [[P, S, S, I64], I],
      libdbm_store_attr_delete: [[P, S, S], I],
      libdbm_store_attr_type: [[P, P, S, S], I],
      libdbm_store_attr_get_string: [[P, P, S, S], I],
      libdbm_store_attr_get_int64: [[P, P, S, S], I],
      libdbm_store_attr_get_double: [[P, P, S, S], I],
      libdbm_store_attr_get_bool: [[P, P, S, S], I],
      libdbm_store_attr_get_time: [[P, P, S, S], I],
      libdbm_store_channel_set_address: [[P, S, S, S, I64], I],
      libdbm_store_channel_verify: [[P, S, S, I64], I],
      libdbm_store_channel_set_invalid: [[P, S, S, I, I64], I],
      libdbm_store_consent_record: [[P, S, S, S, I, I64, S, S], I],
      libdbm_store_channel_get_address: [[P, P, S, S], I],
      libdbm_store_channel_get_consent: [[P, P, P, S, S, S], I],
      libdbm_store_channel_get_status: [[P, P, P, S, S], I],
      libdbm_store_consent_history: [[P, S, :consent_fn, P], I],
      libdbm_store_stale_addresses: [[P, S, I64, I64, :stale_fn, P], I],
      libdbm_store_purchase_add: [[P, P, S, I64, D, S], I],
      libdbm_store_purchase_add_minor: [[P, P, S, I64, I64, S], I],
      libdbm_store_aggregate: [[P, P, S, I], I],
      libdbm_store_money_scale: [[P, P], I],
      libdbm_store_contact_add: [[P, S, I64, S, S, I32, I], I],
      libdbm_store_contact_count: [[P, P, S, S, I, I64, I64], I],
      libdbm_store_event_add: [[P, S, S, I64, D], I],
      libdbm_store_event_count: [[P, P, S, S, I64, I64], I],
      libdbm_store_merge: [[P, S, S], I],
      libdbm_store_erase: [[P, S, I], I],
      libdbm_store_is_suppressed: [[P, P, S, S], I],
      libdbm_store_cursor_new: [[P, P], I],
      libdbm_store_cursor_next: [[P, P], I],
      libdbm_store_cursor_free: [[P], :void],
      # summary
      libdbm_summary_new: [[P, P, I64, I], I, true],
      libdbm_summary_free: [[P], :void],
      libdbm_summary_count: [[P, P], I],
      libdbm_summary_get: [[P, P, P, P, P, P, I64], I],
      libdbm_summary_columns: [[P, P, P, P, P], I],
      libdbm_summary_format_row: [[P, P, :size_t, I64, I32], I],
      libdbm_summary_add_to_stats: [[P, P], I],
      # statistics and models
      libdbm_stats_new: [[P, P], I],
      libdbm_stats_free: [[P], :void],
      libdbm_stats_add: [[P, D, D, D, D, D], I],
      libdbm_stats_merge: [[P, P], I],
      libdbm_stats_customers: [[P, P], I],
      libdbm_stats_rows: [[P, P], I],
      libdbm_stats_save: [[P, P, P], I],
      libdbm_stats_load: [[P, P, P, :size_t], I],
      libdbm_model_new: [[P, P, I], I],
      libdbm_model_free: [[P], :void],
      libdbm_model_kind: [[P, P], I],
      libdbm_model_param_count: [[P, P], I],
      libdbm_model_set_params: [[P, P, I32], I],
      libdbm_model_get_params: [[P, P, I32], I],
      libdbm_fit_options_init: [[FitOptions.by_ref], I],
      libdbm_model_fit: [[P, P, FitOptions.by_ref], I, true],
      libdbm_model_log_likelihood: [[P, P, P], I, true],
      libdbm_model_fit_info: [[P, P, P, P, P], I],
      libdbm_model_std_errors: [[P, P, I32], I],
      libdbm_model_p_alive: [[P, P, D, D, D], I],
      libdbm_model_expected_purchases: [[P, P, D, D, D, D], I],
      libdbm_model_expected_purchases_new: [[P, P, D], I],
      libdbm_model_prob_purchases: [[P, P, I32, D], I],
      libdbm_model_p_alive_array: [[P, P, P, P, P, I64, I32], I, true],
      libdbm_model_expected_purchases_array: [[P, P, D, P, P, P, I64, I32], I, true],
      libdbm_model_expected_spend: [[P, P, D, D], I],
      libdbm_model_clv: [[P, P, P, D, D, D, D, I32, D, D, D], I],
      libdbm_model_save: [[P, P, P], I],
      libdbm_model_load: [[P, P, P, :size_t], I],
      libdbm_model_to_json: [[P, P], I],
      libdbm_model_from_json: [[P, P, S], I],
      # RFM
      libdbm_rfm_options_init: [[RfmOptions.by_ref], I],
      libdbm_rfm_bins_fit: [[P, P, P, P, P, I64, RfmOptions.by_ref], I, true],
      libdbm_rfm_bins_score: [[P, P, P, P, P, P, P, I64], I],
      libdbm_rfm_bins_info: [[P, P, P, P, P], I],
      libdbm_rfm_bins_boundary: [[P, P, I32, I32], I],
      libdbm_rfm_bins_save: [[P, P, P], I],
      libdbm_rfm_bins_load: [[P, P, P, :size_t], I],
      libdbm_rfm_bins_free: [[P], :void],
      libdbm_rfm_segments_new_default: [[P, P], I],
      libdbm_rfm_segments_clear: [[P], I],
      libdbm_rfm_segments_add_rule: [[P, S, I32, I32, I32, I32, I32, I32], I],
      libdbm_rfm_segments_parse: [[P, S], I],
      libdbm_rfm_segments_set_fallback: [[P, S], I],
      libdbm_rfm_segments_count: [[P, P], I],
      libdbm_rfm_segments_classify: [[P, P, P, I32, I32, I32], I],
      libdbm_rfm_segments_free: [[P], :void],
      # scores and the holdout check
      libdbm_score_options_init: [[ScoreOptions.by_ref], I],
      libdbm_scores_compute: [[P, P, I64, P, P, P, P, P, ScoreOptions.by_ref], I, true],
      libdbm_scores_free: [[P], :void],
      libdbm_scores_count: [[P, P], I],
      libdbm_scores_get: [[P, P, P, P, P, P, P, P, P, P, I64], I],
      libdbm_scores_get_rfm_values: [[P, P, P, P, I64], I],
      libdbm_scores_format_row: [[P, P, :size_t, I64], I],
      libdbm_scores_write_back: [[P, P], I, true],
      libdbm_holdout_compute: [[P, P, P, I64, I64, I, I32], I, true],
      libdbm_holdout_free: [[P], :void],
      libdbm_holdout_bucket: [[P, P, P, P, I32], I],
      # segments
      libdbm_segment_compile: [[P, P, S], I],
      libdbm_segment_compile_with: [[P, P, S, P], I],
      libdbm_segment_last_error: [[P, P, P], I],
      libdbm_segment_to_string: [[P, P], I],
      libdbm_segment_free: [[P], :void],
      libdbm_segment_registry_new: [[P, P], I],
      libdbm_segment_registry_free: [[P], :void],
      libdbm_segment_registry_define: [[P, S, P], I],
      libdbm_members_count: [[P], I64],
      libdbm_members_next: [[P, P], I],
      libdbm_members_contains: [[P, I64], I],
      libdbm_members_and: [[P, P, P], I],
      libdbm_members_or: [[P, P, P], I],
      libdbm_members_minus: [[P, P, P], I],
      libdbm_members_free: [[P], :void]
    }.freeze

    class PolicyRequest < FFI::Struct
      layout :struct_size, :uint32, :message_class, :int32, :customer_id, :pointer,
             :channel, :pointer, :campaign, :pointer, :business_unit, :pointer,
             :time, :int64, :priority, :int32, :reserved, :int32
    end

    # Segment evaluation, contact policies and campaigns: attached when the
    # library has them; otherwise each is a stub returning LIBDBM_ENOTSUP, so
    # only their wrappers fail (with Libdbm::NotSupported).
    LATER_SIGNATURES = {
      libdbm_segment_evaluate: [[P, P, P, I64], I, true],
      libdbm_segment_count: [[P, P, P, I64], I, true],
      libdbm_segment_test: [[P, P, P, S, I64], I],
      libdbm_members_id: [[P, P, P, I64], I],
      libdbm_members_export_ids: [[P, P, P, P, P], I],
      libdbm_policy_parse: [[P, P, S], I],
      libdbm_policy_last_error: [[P, P, P], I],
      libdbm_policy_to_string: [[P, P], I],
      libdbm_policy_free: [[P], :void],
      libdbm_policy_request_init: [[PolicyRequest.by_ref], I],
      libdbm_policy_answer_new: [[P, P], I],
      libdbm_policy_answer_free: [[P], :void],
      libdbm_policy_answer_verdict: [[P], I],
      libdbm_policy_answer_until: [[P], I64],
      libdbm_policy_answer_rule: [[P], :string],
      libdbm_policy_answer_reason: [[P], :string],
      libdbm_policy_answer_recorded: [[P], I],
      libdbm_policy_check: [[P, P, P, PolicyRequest.by_ref], I],
      libdbm_policy_check_and_record: [[P, P, P, PolicyRequest.by_ref], I, true],
      libdbm_policy_explain: [[P, P, P, PolicyRequest.by_ref], I],
      libdbm_campaign_parse: [[P, P, S], I],
      libdbm_campaign_last_error: [[P, P, P], I],
      libdbm_campaign_to_string: [[P, P], I],
      libdbm_campaign_free: [[P], :void],
      libdbm_campaign_scheduler_new: [[P, P, P, P], I],
      libdbm_campaign_scheduler_free: [[P], :void],
      libdbm_campaign_enter_segment: [[P, P, I64], I, true],
      libdbm_campaign_enter: [[P, P, S, I64], I],
      libdbm_campaign_trigger: [[P, P, S, S, I64], I],
      libdbm_campaign_due: [[P, P, I64], I, true],
      libdbm_campaign_due_for: [[P, P, S, I64], I],
      libdbm_campaign_actions_count: [[P], I64],
      libdbm_campaign_action_get: [[P, I64, P, P, P, P, P, P], I],
      libdbm_campaign_actions_free: [[P], :void],
      libdbm_campaign_record_outcome: [[P, S, I, I64], I],
      libdbm_campaign_report: [[P, P, I], I],
      libdbm_campaign_uplift: [[P, P, P, P, P, P], I]
    }.freeze

    ENOTSUP = -12

    SIGNATURES.each do |name, (args, ret, blocking)|
      attach_function name, args, ret, blocking: blocking ? true : false
    end

    LATER_SIGNATURES.each do |name, (args, ret, blocking)|
      attach_function name, args, ret, blocking: blocking ? true : false
    rescue FFI::NotFoundError
      define_singleton_method(name) { |*_args| ENOTSUP }
    end
  end
end
