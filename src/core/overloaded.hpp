#pragma once
// Overloaded: a visitor made of lambdas, for std::visit over a variant, one lambda per alternative
// (or a generic one for the rest):
//
//   std::visit(Overloaded{[](const A& a) { ... }, [](const auto&) { ... }}, value);

namespace baton {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace baton
