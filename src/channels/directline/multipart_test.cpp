#include "channels/directline/multipart.hpp"

#include <gtest/gtest.h>

namespace baton::directline {
namespace {

// The shape DirectLineJS (via the browser's FormData) sends.
constexpr std::string_view kBody =
    "------WebKitFormBoundaryX\r\n"
    "Content-Disposition: form-data; name=\"activity\"; filename=\"blob\"\r\n"
    "Content-Type: application/vnd.microsoft.activity\r\n"
    "\r\n"
    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"image/"
    "png\",\"name\":\"a.png\"}]}\r\n"
    "------WebKitFormBoundaryX\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n\x1a\n--binary--\r\n"
    "------WebKitFormBoundaryX--\r\n";

TEST(Multipart, ParsesActivityAndFileParts) {
  const std::string boundary =
      multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryX");
  ASSERT_EQ(boundary, "----WebKitFormBoundaryX");
  auto parts = parse_multipart(boundary, kBody);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "activity");
  EXPECT_EQ((*parts)[0].content_type, "application/vnd.microsoft.activity");
  EXPECT_EQ((*parts)[0].body.substr(0, 17), "{\"type\":\"message\"");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "a.png");
  EXPECT_EQ((*parts)[1].content_type, "image/png");
  EXPECT_EQ((*parts)[1].body, std::string_view("\x89PNG\r\n\x1a\n--binary--"));
}

TEST(Multipart, BoundaryParameterVariants) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=xyz"), "xyz");
  EXPECT_EQ(multipart_boundary("application/json"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), "");
}

TEST(Multipart, HeaderParameters) {
  EXPECT_EQ(header_parameter(R"(form-data; name="file"; filename="my \"x\".png")", "filename"),
            "my \"x\".png");
  EXPECT_EQ(header_parameter("form-data; name=file", "name"), "file");
  EXPECT_EQ(header_parameter("form-data; name=\"file\"", "filename"), "");
}

TEST(Multipart, MalformedBodiesAreErrors) {
  for (std::string_view bad : {
           std::string_view(""),
           std::string_view("no boundary here"),
           std::string_view(
               "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated"),
           std::string_view("--b\r\nX-No-Blank-Line: 1\r\n"),
           std::string_view("--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b--"),
           std::string_view("--bXX"),
       }) {
    auto r = parse_multipart("b", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Multipart, TooManyPartsIsAnError) {
  std::string body;
  for (int i = 0; i < 5; ++i) {
    body += "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n";
  }
  body += "--b--";
  EXPECT_TRUE(parse_multipart("b", body, 5).ok());
  EXPECT_FALSE(parse_multipart("b", body, 4).ok());
}

}  // namespace
}  // namespace baton::directline
