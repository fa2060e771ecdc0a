// Streams the usage tests share. The kSim* ones were captured from the project's simulator
// (`tollgate sim`, curl with the request each comment names); the others follow the chunk
// shapes of OpenAI's and Azure OpenAI's API references.
#pragma once

#include <string_view>

namespace tollgate::usage::test {

// Chat Completions, n=2, max_tokens=3, include_usage.
inline constexpr std::string_view kSimChatTwoChoices =
    R"sse(data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"content":"lemon"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"content":"prairie"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"content":" amber"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"content":" mesa"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"content":" harbor"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"content":" field"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}

data: {"id":"chatcmpl-93134b41589f2a5a","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

)sse";

// The same request without stream_options.
inline constexpr std::string_view kSimChatTwoChoicesPlain =
    R"sse(data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"content":"lemon"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"content":"prairie"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"content":" amber"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"content":" mesa"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"content":" harbor"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{"content":" field"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}

data: {"id":"chatcmpl-06d7501b4dda53c0","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":1,"delta":{},"logprobs":null,"finish_reason":"length"}]}

data: [DONE]

)sse";

// Chat Completions with one function tool, include_usage.
inline constexpr std::string_view kSimChatToolCall =
    R"sse(data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_0993d991e339d935","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"ivo"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ry l"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"emon"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

data: {"id":"chatcmpl-c102cadaa48b1871","object":"chat.completion.chunk","created":1795787952,"model":"gpt-4o","system_fingerprint":"fp_tollgate_sim","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":6,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

)sse";

// Completions, max_tokens=3, include_usage.
inline constexpr std::string_view kSimCompletions =
    R"sse(data: {"id":"cmpl-46d2f4cc4fe66e21","object":"text_completion","created":1795787952,"model":"gpt-35-turbo-instruct","system_fingerprint":"fp_tollgate_sim","choices":[{"text":"beacon","index":0,"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"cmpl-46d2f4cc4fe66e21","object":"text_completion","created":1795787952,"model":"gpt-35-turbo-instruct","system_fingerprint":"fp_tollgate_sim","choices":[{"text":" stone","index":0,"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"cmpl-46d2f4cc4fe66e21","object":"text_completion","created":1795787952,"model":"gpt-35-turbo-instruct","system_fingerprint":"fp_tollgate_sim","choices":[{"text":" hazel","index":0,"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"cmpl-46d2f4cc4fe66e21","object":"text_completion","created":1795787952,"model":"gpt-35-turbo-instruct","system_fingerprint":"fp_tollgate_sim","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}],"usage":null}

data: {"id":"cmpl-46d2f4cc4fe66e21","object":"text_completion","created":1795787952,"model":"gpt-35-turbo-instruct","system_fingerprint":"fp_tollgate_sim","choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

)sse";

// Responses API, max_output_tokens=3: ends in response.incomplete.
inline constexpr std::string_view kSimResponsesIncomplete = R"sse(event: response.created
data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_9abc7165f2c78913","object":"response","created_at":1795787952,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1E0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1E0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.in_progress
data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_9abc7165f2c78913","object":"response","created_at":1795787952,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1E0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1E0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.output_item.added
data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_9abc7165f2c78913","type":"message","status":"in_progress","role":"assistant","content":[]}}

event: response.content_part.added
data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_9abc7165f2c78913","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}

event: response.output_text.delta
data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_9abc7165f2c78913","output_index":0,"content_index":0,"delta":"quartz","logprobs":[]}

event: response.output_text.delta
data: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_9abc7165f2c78913","output_index":0,"content_index":0,"delta":" desert","logprobs":[]}

event: response.output_text.delta
data: {"type":"response.output_text.delta","sequence_number":6,"item_id":"msg_9abc7165f2c78913","output_index":0,"content_index":0,"delta":" hazel","logprobs":[]}

event: response.output_text.done
data: {"type":"response.output_text.done","sequence_number":7,"item_id":"msg_9abc7165f2c78913","output_index":0,"content_index":0,"text":"quartz desert hazel","logprobs":[]}

event: response.content_part.done
data: {"type":"response.content_part.done","sequence_number":8,"item_id":"msg_9abc7165f2c78913","output_index":0,"content_index":0,"part":{"type":"output_text","text":"quartz desert hazel","annotations":[],"logprobs":[]}}

event: response.output_item.done
data: {"type":"response.output_item.done","sequence_number":9,"output_index":0,"item":{"id":"msg_9abc7165f2c78913","type":"message","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"quartz desert hazel","annotations":[],"logprobs":[]}]}}

event: response.incomplete
data: {"type":"response.incomplete","sequence_number":10,"response":{"id":"resp_9abc7165f2c78913","object":"response","created_at":1795787952,"status":"incomplete","error":null,"incomplete_details":{"reason":"max_output_tokens"},"instructions":null,"max_output_tokens":null,"model":"gpt-4o","output":[{"id":"msg_9abc7165f2c78913","type":"message","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"quartz desert hazel","annotations":[],"logprobs":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1E0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1E0,"truncation":"disabled","usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":8},"user":null,"metadata":{}}}

)sse";

// Responses API with one function tool: ends in response.completed.
inline constexpr std::string_view kSimResponsesToolCall = R"sse(event: response.created
data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_fd7d5059899035c9","object":"response","created_at":1795787952,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1E0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1E0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.in_progress
data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_fd7d5059899035c9","object":"response","created_at":1795787952,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1E0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1E0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

event: response.output_item.added
data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"fc_fd7d5059899035c9","type":"function_call","status":"in_progress","call_id":"call_0993d991e339d935","name":"get_weather","arguments":""}}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_fd7d5059899035c9","output_index":0,"delta":"{\"ci"}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_fd7d5059899035c9","output_index":0,"delta":"ty\":"}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":5,"item_id":"fc_fd7d5059899035c9","output_index":0,"delta":"\"ivo"}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":6,"item_id":"fc_fd7d5059899035c9","output_index":0,"delta":"ry l"}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":7,"item_id":"fc_fd7d5059899035c9","output_index":0,"delta":"emon"}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","sequence_number":8,"item_id":"fc_fd7d5059899035c9","output_index":0,"delta":"\"}"}

event: response.function_call_arguments.done
data: {"type":"response.function_call_arguments.done","sequence_number":9,"item_id":"fc_fd7d5059899035c9","output_index":0,"name":"get_weather","arguments":"{\"city\":\"ivory lemon\"}"}

event: response.output_item.done
data: {"type":"response.output_item.done","sequence_number":10,"output_index":0,"item":{"id":"fc_fd7d5059899035c9","type":"function_call","status":"completed","call_id":"call_0993d991e339d935","name":"get_weather","arguments":"{\"city\":\"ivory lemon\"}"}}

event: response.completed
data: {"type":"response.completed","sequence_number":11,"response":{"id":"resp_fd7d5059899035c9","object":"response","created_at":1795787952,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o","output":[{"id":"fc_fd7d5059899035c9","type":"function_call","status":"completed","call_id":"call_0993d991e339d935","name":"get_weather","arguments":"{\"city\":\"ivory lemon\"}"}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1E0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1E0,"truncation":"disabled","usage":{"input_tokens":8,"input_tokens_details":{"cached_tokens":0},"output_tokens":6,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":14},"user":null,"metadata":{}}}

)sse";

// OpenAI, two parallel tool calls whose chunks interleave, arguments cut mid-token with a
// non-ASCII character escaped as \u00fc, a name repeated by a later chunk, and the usage chunk
// with cached tokens.
inline constexpr std::string_view kOpenAiParallelTools =
    R"sse(data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_B","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Z\u00fc"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"name":"get_time","arguments":"{\"tz\":\"Europe/"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"rich\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"Zurich\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727100000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_b1","choices":[],"usage":{"prompt_tokens":2113,"completion_tokens":41,"total_tokens":2154,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

)sse";

// OpenAI, a refusal under structured outputs: the refusal streams, content stays null.
inline constexpr std::string_view kOpenAiRefusal =
    R"sse(data: {"id":"chatcmpl-R1","object":"chat.completion.chunk","created":1727200000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_r1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-R1","object":"chat.completion.chunk","created":1727200000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_r1","choices":[{"index":0,"delta":{"refusal":"I'm sorry,"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-R1","object":"chat.completion.chunk","created":1727200000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_r1","choices":[{"index":0,"delta":{"refusal":" I can't help with that."},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-R1","object":"chat.completion.chunk","created":1727200000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_r1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}

data: [DONE]

)sse";

// Azure OpenAI (api-version 2024-10-21, include_usage, asynchronous content filter): a first
// chunk with only prompt_filter_results and empty id and model, content_filter_results on
// every choice, a filter chunk after the finish reason, then the usage chunk. CRLF endings.
inline constexpr std::string_view kAzureFiltered =
    "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
    "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{"
    "\"filtered\":false,\"severity\":\"safe\"},\"self_harm\":{\"filtered\":false,\"severity\":"
    "\"safe\"},\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},\"violence\":{\"filtered\":"
    "false,\"severity\":\"safe\"}}}]}\r\n\r\n"
    "data: {\"choices\":[{\"content_filter_results\":{},\"delta\":{\"content\":\"\",\"refusal\":"
    "null,\"role\":\"assistant\"},\"finish_reason\":null,\"index\":0,\"logprobs\":null}],"
    "\"created\":1727300000,\"id\":\"chatcmpl-AZ1\",\"model\":\"gpt-4o-2024-11-20\",\"object\":"
    "\"chat.completion.chunk\",\"system_fingerprint\":\"fp_az1\",\"usage\":null}\r\n\r\n"
    "data: {\"choices\":[{\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":"
    "\"safe\"}},\"delta\":{\"content\":\"Bonjour\"},\"finish_reason\":null,\"index\":0,"
    "\"logprobs\":null}],\"created\":1727300000,\"id\":\"chatcmpl-AZ1\",\"model\":"
    "\"gpt-4o-2024-11-20\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":"
    "\"fp_az1\",\"usage\":null}\r\n\r\n"
    "data: {\"choices\":[{\"content_filter_results\":{},\"delta\":{\"content\":\" \\u00e0 "
    "vous\"},\"finish_reason\":null,\"index\":0,\"logprobs\":null}],\"created\":1727300000,"
    "\"id\":\"chatcmpl-AZ1\",\"model\":\"gpt-4o-2024-11-20\",\"object\":"
    "\"chat.completion.chunk\",\"system_fingerprint\":\"fp_az1\",\"usage\":null}\r\n\r\n"
    "data: {\"choices\":[{\"content_filter_results\":{},\"delta\":{},\"finish_reason\":\"stop\","
    "\"index\":0,\"logprobs\":null}],\"created\":1727300000,\"id\":\"chatcmpl-AZ1\",\"model\":"
    "\"gpt-4o-2024-11-20\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":"
    "\"fp_az1\",\"usage\":null}\r\n\r\n"
    "data: {\"choices\":[{\"content_filter_offsets\":{\"check_offset\":0,\"start_offset\":0,"
    "\"end_offset\":16},\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":"
    "\"safe\"}},\"finish_reason\":null,\"index\":0}],\"created\":0,\"id\":\"\",\"model\":\"\","
    "\"object\":\"\",\"usage\":null}\r\n\r\n"
    "data: {\"choices\":[],\"created\":1727300000,\"id\":\"chatcmpl-AZ1\",\"model\":"
    "\"gpt-4o-2024-11-20\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":"
    "\"fp_az1\",\"usage\":{\"completion_tokens\":4,\"completion_tokens_details\":{"
    "\"accepted_prediction_tokens\":0,\"audio_tokens\":0,\"reasoning_tokens\":0,"
    "\"rejected_prediction_tokens\":0},\"prompt_tokens\":12,\"prompt_tokens_details\":{"
    "\"audio_tokens\":0,\"cached_tokens\":0},\"total_tokens\":16}}\r\n\r\n"
    "data: [DONE]\r\n\r\n";

}  // namespace tollgate::usage::test
